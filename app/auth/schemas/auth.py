"""Shapes of the authentication endpoints."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from app.auth.schemas.user import LookupEmail, Password, StrictModel

OpaqueToken = SecretStr


class TokenResponse(BaseModel):
    """The OAuth2 token response (RFC 6749 5.1) plus the refresh token."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")


class RefreshRequest(StrictModel):
    refresh_token: OpaqueToken = Field(min_length=1, max_length=200)


class RestorePasswordRequest(StrictModel):
    email: LookupEmail


class ResetPasswordRequest(StrictModel):
    token: OpaqueToken = Field(min_length=1, max_length=200)
    new_password: Password


class VerifyEmailRequest(StrictModel):
    token: OpaqueToken = Field(min_length=1, max_length=200)


class ResendVerificationRequest(StrictModel):
    email: LookupEmail


class Accepted(BaseModel):
    detail: str


class SessionResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_agent: str | None
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    current: bool = False
