"""Patterns and lengths mean the same to schema readers (ECMA-262) and to pydantic (Rust regex)."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import TypeAdapter, ValidationError

from app.auth.schemas.user import LookupEmail, Username
from app.chat.schemas.message import Body

# Shorthand classes the two engines define differently: `\s` (U+0085 for Rust, U+FEFF for
# ECMA-262), `\d` and `\w` (Unicode digits and letters for Rust, ASCII for ECMA-262), `\b` with them.
_ENGINE_DEPENDENT = re.compile(r"(?<!\\)(?:\\\\)*\\[sSdDwWbB]")


def _patterns(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield where, node["pattern"]
        for key, value in node.items():
            yield from _patterns(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _patterns(value, f"{where}/{index}")


def _meets(documented: dict[str, Any], value: str) -> bool:
    """What a client reading the schema concludes. Python's `re` reads these patterns as ECMA-262
    does only because they spell their classes out (the test above)."""
    return (
        documented.get("minLength", 0) <= len(value) <= documented.get("maxLength", len(value))
        and re.search(documented["pattern"], value) is not None
    )


def test_documented_patterns_use_no_engine_dependent_class(app: FastAPI) -> None:
    patterns = list(_patterns(app.openapi()))
    assert len(patterns) > 3  # the walk finds them
    assert [(where, pattern) for where, pattern in patterns if _ENGINE_DEPENDENT.search(pattern)] == []


@pytest.mark.parametrize(
    ("field_type", "value", "valid"),
    [
        # Whitespace for both engines and for stripping: blank once stripped.
        (Body, "\r\n\u3000", False),
        # U+0085 is whitespace (stripped), U+FEFF is not (kept): the schema says the same.
        (Body, "\x85", False),
        (Body, "\ufeff", True),
        # Length is what was sent, as documented, not what is left once stripped.
        (Body, " " + "x" * 4000, False),
        (Body, "\x1c", True),
        (Username, "\u3000ann\x85", True),
        (Username, "\ufeffann", False),
        (LookupEmail, "a\x85b@example.com", False),
        (LookupEmail, "a\ufeffb@example.com", True),
    ],
)
def test_validation_agrees_with_the_documented_pattern(field_type: Any, value: str, valid: bool) -> None:
    adapter: TypeAdapter[str] = TypeAdapter(field_type)
    assert _meets(adapter.json_schema(), value) is valid
    try:
        adapter.validate_python(value)
    except ValidationError:
        accepted = False
    else:
        accepted = True
    assert accepted is valid
