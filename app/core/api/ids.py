"""Identifiers in paths: bounded like the database's bigint keys, so an absurd id is a 422, not a
database error."""

from typing import Annotated

from fastapi import Path

MAX_ID = 2**63 - 1

ResourceId = Annotated[int, Path(ge=1, le=MAX_ID, description="A positive 64-bit id.")]
