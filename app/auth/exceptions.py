"""Errors of the auth module; rendered as problem+json by the platform's handlers."""

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
    "InactiveUser",
    "InvalidCredentials",
    "InvalidInput",
    "InvalidToken",
    "LastSuperAdmin",
    "NotAuthenticated",
    "NotFound",
    "RegistrationClosed",
    "RevocationUnavailable",
    "TooManyPasswordChecks",
    "WeakPassword",
]
