"""Text a request may carry into the database.

JSON strings may contain NUL characters; PostgreSQL text may not. Request fields that are stored
take `pattern=NUL_FREE`, so the OpenAPI schema says so and validation answers 422 naming the field.
(Anything that still reaches the database with one is a 422 `unstorable_value`, see handlers.py.)
"""

NUL_FREE = r"^[^\x00]*$"
