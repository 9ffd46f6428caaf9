"""Exception handlers: every error, FastAPI's and Starlette's own included, becomes problem+json."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match

from app.core.api.problems import problem_response, sanitize_validation_errors
from app.core.errors import AppError
from app.core.log import logger

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    503: "service_unavailable",
}


async def app_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return problem_response(
        exc.status,
        code=exc.code,
        detail=exc.detail,
        instance=request.url.path,
        headers=exc.headers,
        extra=exc.extra,
    )


def _allowed_methods(request: Request) -> str | None:
    """Every method the path supports. Routing stops at the first route whose path matches, so
    Starlette's Allow lists that route's methods only when several routes share a path."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        match, _ = route.matches({**request.scope, "method": "__none__"})
        if match is not Match.NONE and route.methods:
            methods |= set(route.methods)
    return ", ".join(sorted(methods)) if methods else None


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    headers = dict(exc.headers or {})
    if exc.status_code == 405 and (allowed := _allowed_methods(request)):
        headers["Allow"] = allowed
    return problem_response(
        exc.status_code,
        code=_HTTP_CODES.get(exc.status_code, "http_error"),
        detail=detail,
        instance=request.url.path,
        headers=headers,
    )


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return problem_response(
        422,
        code="validation_error",
        detail="The request is not valid.",
        instance=request.url.path,
        extra={"errors": sanitize_validation_errors(exc.errors())},
    )


# Integrity violations caused by the request's data racing other writes (duplicate key, a row
# referenced or removed meanwhile) are conflicts the client can resolve; other integrity errors
# (NOT NULL, CHECK) are bugs and stay 500s.
_CONFLICT_SQLSTATES = {
    "23505": "A resource with the same unique values already exists.",
    "23503": "The request refers to a resource that does not exist or is still in use.",
    "23P01": "The request conflicts with an existing resource.",
}


async def integrity_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, IntegrityError)
    detail = _CONFLICT_SQLSTATES.get(getattr(exc.orig, "sqlstate", None) or "")
    if detail is None:
        raise exc
    return problem_response(409, code="conflict", detail=detail, instance=request.url.path)


async def data_error_handler(request: Request, exc: Exception) -> Response:
    """A value PostgreSQL cannot take as given: refused by the driver before sending (a NUL
    character in text, which JSON allows) or by the server with SQLSTATE class 22 (a number out
    of its column's range). Input that passed validation but not the database is still the
    client's input: a 422, not a 500."""
    assert isinstance(exc, DataError)
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate is not None and not sqlstate.startswith("22"):
        raise exc
    return problem_response(
        422,
        code="unstorable_value",
        detail="A value in the request cannot be stored (for example a NUL character in text).",
        instance=request.url.path,
    )


# Seconds a client is told to wait when every database connection was busy: long enough for the
# requests holding them to finish, short enough for an interactive client.
POOL_TIMEOUT_RETRY_AFTER = 5


def pool_timeout_response(path: str) -> Response:
    """No database connection became free within DATABASE_POOL_TIMEOUT: the server is overloaded,
    the request did nothing. A 503 the client may retry, not a 500 (nothing is broken)."""
    return problem_response(
        503,
        code="service_busy",
        detail="The service is too busy to answer now; retry shortly.",
        instance=path,
        headers={"Retry-After": str(POOL_TIMEOUT_RETRY_AFTER)},
    )


async def pool_timeout_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PoolTimeout)
    logger.warning("database pool timeout", method=request.method, path=request.url.path)
    return pool_timeout_response(request.url.path)


def install_exception_handlers(app: FastAPI) -> None:
    # Unhandled exceptions are answered by RequestContextMiddleware, which sits outside the
    # routing and also covers errors raised by other middlewares.
    app.add_exception_handler(AppError, app_error_handler)
    app.add_exception_handler(HTTPException, http_exception_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(IntegrityError, integrity_error_handler)
    app.add_exception_handler(DataError, data_error_handler)
    app.add_exception_handler(PoolTimeout, pool_timeout_handler)
