"""Shapes of two-factor sign-in, enrolment and re-authentication (step-up)."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Discriminator, Field, SecretStr, Tag

from app.auth.schemas.auth import OpaqueToken, TokenResponse
from app.auth.schemas.user import Password, StrictModel

# A TOTP code (6 digits) or a recovery code (16 characters; spaces and hyphens ignored). The
# name says "pass": logs and 422 responses never show it.
Passcode = Annotated[
    SecretStr,
    Field(
        min_length=6,
        max_length=32,
        description="A 6-digit code from the authenticator app, or an unused recovery code.",
    ),
]
SecondFactorMethod = Literal["totp", "recovery_code"]


class SecondFactorChallenge(BaseModel):
    """The answer to a correct password on an account with two-factor authentication: no
    session yet. Send `second_factor_token` and a code to `POST /auth/login/second-factor`."""

    second_factor_token: str = Field(
        description="Good only at POST /auth/login/second-factor, until it expires; never a bearer token."
    )
    expires_in: int = Field(description="Seconds until the second-factor token expires.")
    methods: list[SecondFactorMethod] = Field(description="What the second step accepts.")


def _login_outcome(value: Any) -> str:
    if isinstance(value, SecondFactorChallenge) or (
        isinstance(value, dict) and "second_factor_token" in value
    ):
        return "second_factor"
    return "tokens"


# oneOf in the schema: the two shapes share no required field, so a client tells them apart by
# `access_token` (signed in) or `second_factor_token` (one more step).
LoginResult = Annotated[
    Annotated[TokenResponse, Tag("tokens")] | Annotated[SecondFactorChallenge, Tag("second_factor")],
    Discriminator(_login_outcome),
]


class SecondFactorRequest(StrictModel):
    second_factor_token: OpaqueToken = Field(min_length=1, max_length=2000)
    passcode: Passcode


class StepUpRequest(StrictModel):
    password: Password
    passcode: Passcode | None = Field(
        default=None, description="Required when the account has two-factor authentication on."
    )


class AccessTokenResponse(BaseModel):
    """A new access token for the same session (the refresh token does not change)."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")


class TwoFactorStatus(BaseModel):
    enabled: bool
    enabled_at: datetime | None = None
    recovery_codes_left: int = Field(description="Unused recovery codes (0 while two-factor is off).")


class TwoFactorEnrolment(BaseModel):
    """Shown once: the secret to add to an authenticator app, as text, as an otpauth:// URI and
    as a QR code of that URI. Two-factor is on only once a code from it is confirmed."""

    secret: str = Field(description="The TOTP secret, base32, for typing into an app by hand.")
    otpauth_uri: str = Field(description="The key URI authenticator apps import (otpauth://totp/...).")
    qr_code: str = Field(description="A data: URI of an SVG image of `otpauth_uri`, for an <img>.")


class PasscodeConfirmation(StrictModel):
    passcode: Passcode


class RecoveryCodes(BaseModel):
    """Shown once: each code works once in place of an authenticator code. Store them safely."""

    recovery_codes: list[str]
