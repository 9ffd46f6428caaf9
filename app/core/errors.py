"""The one error hierarchy of the application.

Services, repositories and policies raise these; a single handler set (app.core.api.problems)
renders every one of them as RFC 9457 `application/problem+json`. Modules subclass them in
their own `exceptions.py`.
"""

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, ClassVar, Self


class AppError(Exception):
    """Base of every error that maps to an HTTP problem response.

    `code` is a stable machine-readable identifier; `detail` is for humans and must never carry
    secrets or internals. `extra` adds problem extension members.
    """

    status: ClassVar[int] = HTTPStatus.INTERNAL_SERVER_ERROR
    code: ClassVar[str] = "internal_error"
    default_detail: ClassVar[str] = "The server could not complete the request."

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.detail = detail or self.default_detail
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})
        super().__init__(self.detail)

    # Raised with keeping_changes(): the unit of work commits what was done before the error
    # (a security revocation, a failed-attempt counter) and the caller still gets the error.
    commit_unit_of_work: bool = False

    def keeping_changes(self) -> Self:
        self.commit_unit_of_work = True
        return self

    @property
    def title(self) -> str:
        return HTTPStatus(self.status).phrase


class BadRequest(AppError):
    status = HTTPStatus.BAD_REQUEST
    code = "bad_request"
    default_detail = "The request is malformed."


class Unauthorized(AppError):
    status = HTTPStatus.UNAUTHORIZED
    code = "unauthorized"
    default_detail = "Authentication is required."

    def __init__(self, detail: str | None = None, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer", **(headers or {})})


class ActionNotAllowed(AppError):
    status = HTTPStatus.FORBIDDEN
    code = "action_not_allowed"
    default_detail = "You are not allowed to perform this action."


class NotFound(AppError):
    status = HTTPStatus.NOT_FOUND
    code = "not_found"
    default_detail = "The resource was not found."


class Conflict(AppError):
    status = HTTPStatus.CONFLICT
    code = "conflict"
    default_detail = "The request conflicts with the current state of the resource."


class PayloadTooLarge(AppError):
    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    code = "payload_too_large"
    default_detail = "The request body is too large."


class UnsupportedMediaType(AppError):
    status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    code = "unsupported_media_type"
    default_detail = "This type of content is not accepted."


class InvalidInput(AppError):
    """422 with field errors in the same shape as FastAPI's request validation errors."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY
    code = "validation_error"
    default_detail = "The request is not valid."

    def __init__(self, errors: Sequence[Mapping[str, Any]], detail: str | None = None) -> None:
        super().__init__(detail, extra={"errors": [dict(error) for error in errors]})


class TooManyRequests(AppError):
    status = HTTPStatus.TOO_MANY_REQUESTS
    code = "too_many_requests"
    default_detail = "Too many requests; retry later."


class ServiceUnavailable(AppError):
    status = HTTPStatus.SERVICE_UNAVAILABLE
    code = "service_unavailable"
    default_detail = "A service the application depends on is unavailable."
