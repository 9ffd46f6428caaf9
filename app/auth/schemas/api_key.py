"""Shapes of the API key endpoints."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.auth.schemas.scopes import key_scopes
from app.auth.schemas.user import StrictModel
from app.core.api import WHITESPACE, strip_whitespace

# One line (it is shown in lists and emails), not blank.
_LINE_BREAKING = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
KEY_NAME = rf"^[^{_LINE_BREAKING}]*[^{_LINE_BREAKING}{WHITESPACE}][^{_LINE_BREAKING}]*$"
MAX_LIFETIME_DAYS = 366


def _grantable(scope: str) -> str:
    if scope not in key_scopes():
        raise ValueError(f"not a scope an API key can hold: {', '.join(sorted(key_scopes()))}")
    return scope


def _document_grantable(schema: dict[str, Any]) -> None:
    # Read when the OpenAPI schema is generated, once every installed module declared its scopes.
    schema["items"] = {"type": "string", "enum": sorted(key_scopes())}


class ApiKeyCreate(StrictModel):
    name: Annotated[
        str, Field(min_length=1, max_length=100, pattern=KEY_NAME), AfterValidator(strip_whitespace)
    ]
    scopes: list[Annotated[str, AfterValidator(_grantable)]] = Field(
        min_length=1,
        max_length=50,
        description="What the key may do (see the scopes of the OAuth2 scheme); never `account` or `admin`.",
        json_schema_extra=_document_grantable,
    )
    expires_in_days: int | None = Field(
        default=None, ge=1, le=MAX_LIFETIME_DAYS, description="Days until the key stops working; none: never."
    )


class ApiKeyResponse(BaseModel):
    """A key as lists show it: never its secret."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str = Field(description="The start of the key (`kit_pat_` and its public id), to recognize it.")
    scopes: list[str] = Field(description="The scopes it was created with.")
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None = Field(description="Updated at most once a minute.")


class NewApiKey(ApiKeyResponse):
    """The one response that carries the key itself."""

    token: str = Field(description="The key: `Authorization: Bearer <token>`. Shown only this once.")


class RevokedApiKeys(BaseModel):
    revoked: int = Field(description="How many keys were revoked.")
