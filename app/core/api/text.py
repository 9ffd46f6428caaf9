"""Text a request may carry into the database, and patterns that mean the same everywhere.

JSON strings may contain NUL characters; PostgreSQL text may not. Request fields that are stored
take `pattern=NUL_FREE`, so the OpenAPI schema says so and validation answers 422 naming the field.
(Anything that still reaches the database with one is a 422 `unstorable_value`, see handlers.py.)

A pattern is read by two engines: clients and schema tools read the OpenAPI schema's as ECMA-262,
pydantic validates with Rust's regex. Their `\\s` differ (ECMA's includes U+FEFF, Rust's U+0085),
so patterns here spell whitespace out: Unicode White_Space (what pydantic's `strip_whitespace`
removes; Python's `str.strip()` also removes U+001C-U+001F). Fields that strip use
`strip_whitespace` below, so what they remove is exactly what their pattern calls whitespace.
"""

import re

NUL_FREE = r"^[^\x00]*$"
WHITESPACE = r"\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# At least one character that is neither whitespace nor NUL: what stays non-empty once stripped.
NOT_BLANK = rf"^[^\x00]*[^{WHITESPACE}\x00][^\x00]*$"
_OUTER_WHITESPACE = re.compile(rf"^[{WHITESPACE}]+|[{WHITESPACE}]+$")


def strip_whitespace(value: str) -> str:
    """Remove exactly the WHITESPACE around `value`. As an AfterValidator, after the documented
    length and pattern checks: pydantic's own `strip_whitespace` strips first, so a value the
    schema calls too long would pass once stripped."""
    return _OUTER_WHITESPACE.sub("", value)
