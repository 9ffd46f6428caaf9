"""Errors of the auth module; rendered as problem+json by the platform's handlers."""

from collections.abc import Sequence

from app.core.errors import (
    ActionNotAllowed,
    Conflict,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
)


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
    # One message for unknown account, wrong password and inactive account: no enumeration.
    default_detail = "Incorrect username/email or password."


class InvalidToken(Unauthorized):
    code = "invalid_token"
    default_detail = "The token is invalid or expired."

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


class NotAuthenticated(Unauthorized):
    code = "not_authenticated"
    default_detail = "Authentication is required."


class InsufficientScope(ActionNotAllowed):
    """The credential lacks a scope the route needs (RFC 6750 3.1): the problem lists them in
    `missing_scopes`, and WWW-Authenticate in its `scope`."""

    code = "insufficient_scope"

    def __init__(self, missing: Sequence[str], detail: str) -> None:
        challenge = 'Bearer error="insufficient_scope"'
        if missing:
            challenge += f', scope="{" ".join(missing)}"'
        super().__init__(
            detail, headers={"WWW-Authenticate": challenge}, extra={"missing_scopes": list(missing)}
        )


class InvalidPasscode(Unauthorized):
    code = "invalid_passcode"
    # One message for a wrong code and a spent one: which it was helps only a guesser.
    default_detail = "The code is incorrect or was already used."


class InsufficientUserAuthentication(Unauthorized):
    """RFC 9470: the access token is valid, but its authentication is too old for this action.
    The client re-authenticates (POST /auth/step-up) and retries with the new token."""

    code = "insufficient_user_authentication"
    default_detail = "This action needs a recent authentication: confirm your password at /auth/step-up."

    def __init__(self, max_age: int) -> None:
        challenge = (
            'Bearer error="insufficient_user_authentication", '
            'error_description="A more recent authentication is required", '
            f'max_age="{max_age}"'
        )
        super().__init__(headers={"WWW-Authenticate": challenge})


class TwoFactorAlreadyEnabled(Conflict):
    code = "two_factor_enabled"
    default_detail = "Two-factor authentication is already on; turn it off first to enrol again."


class TwoFactorNotEnabled(Conflict):
    code = "two_factor_not_enabled"
    default_detail = "Two-factor authentication is off."


class NoPendingEnrolment(Conflict):
    code = "no_pending_enrolment"
    default_detail = "There is no two-factor enrolment to confirm; start one first."


class TwoFactorUnavailable(ServiceUnavailable):
    """No configured key decrypts the account's TOTP secret (a key was removed too early);
    logged as an error. Recovery codes still work."""

    code = "two_factor_unavailable"
    default_detail = "Authenticator codes cannot be checked right now; use a recovery code."


class InactiveUser(ActionNotAllowed):
    code = "inactive_user"
    default_detail = "This account is deactivated."


class RegistrationClosed(ActionNotAllowed):
    code = "registration_closed"
    default_detail = "Registration is closed."


class AlreadyTaken(Conflict):
    code = "already_taken"


class LastSuperAdmin(Conflict):
    code = "last_super_admin"
    default_detail = "The last super admin cannot be removed."


class ApiKeyLimitReached(Conflict):
    code = "api_key_limit_reached"

    def __init__(self, limit: int) -> None:
        super().__init__(f"You already have {limit} API keys: revoke one before creating another.")


class RevocationUnavailable(ServiceUnavailable):
    """Redis could not confirm a revocation: reported instead of a success that other processes
    would not see (they could keep accepting the old token from their cache)."""

    code = "revocation_unavailable"
    default_detail = "Access could not be revoked everywhere right now; nothing changed. Retry shortly."

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"Retry-After": "5"})


class TooManyPasswordChecks(TooManyRequests):
    code = "too_many_password_checks"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many password checks; retry in {retry_after} seconds.",
            headers={"Retry-After": str(retry_after)},
        )


class WeakPassword(InvalidInput):
    """A 422 shaped like request validation errors, on the password field."""

    def __init__(self, reason: str, field: str = "password") -> None:
        super().__init__([{"loc": ["body", field], "msg": reason, "type": "weak_password"}], detail=reason)


__all__ = [
    "ActionNotAllowed",
    "AlreadyTaken",
    "ApiKeyLimitReached",
    "InactiveUser",
    "InsufficientScope",
    "InsufficientUserAuthentication",
    "InvalidCredentials",
    "InvalidInput",
    "InvalidPasscode",
    "InvalidToken",
    "LastSuperAdmin",
    "NoPendingEnrolment",
    "NotAuthenticated",
    "NotFound",
    "RegistrationClosed",
    "RevocationUnavailable",
    "TooManyPasswordChecks",
    "TwoFactorAlreadyEnabled",
    "TwoFactorNotEnabled",
    "TwoFactorUnavailable",
    "WeakPassword",
]
