"""Request id, access log and last-resort error handling, as one pure ASGI middleware.

It is the outermost middleware so that every log line of a request, and every response including
a 500, carries the request id. An unhandled exception is logged with its traceback and answered
with a problem+json 500 that reveals nothing about the internals.
"""

import re
import time
import uuid

import structlog
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.api.handlers import pool_timeout_response
from app.core.api.problems import problem_response

REQUEST_ID_HEADER = "X-Request-ID"
# Accept a caller's id only if it is short and harmless to echo into headers and logs.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

_log = structlog.get_logger("app.request")


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _SANE_REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return

        request_id = _request_id(scope)
        status = 500
        response_started = False

        async def send_with_request_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        started = time.perf_counter()
        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_request_id)
            except ClientDisconnect:
                # The client went away mid-request (an aborted upload): nobody to answer, no bug.
                status = 499
                _log.info("client disconnected", method=scope.get("method"), path=scope["path"])
            except PoolTimeout:
                # Outside the routes' exception handlers (a middleware, a dependency's cleanup):
                # still an overload to retry, not a bug.
                _log.warning("database pool timeout", method=scope.get("method"), path=scope["path"])
                if response_started or scope["type"] != "http":
                    raise
                await pool_timeout_response(scope["path"])(scope, receive, send_with_request_id)
            except Exception:
                _log.exception("unhandled error", method=scope.get("method"), path=scope["path"])
                if response_started or scope["type"] != "http":
                    raise
                response = problem_response(
                    500,
                    code="internal_error",
                    detail="The server could not complete the request.",
                    instance=scope["path"],
                )
                await response(scope, receive, send_with_request_id)
            finally:
                if scope["type"] == "http":
                    _log.info(
                        "request",
                        method=scope["method"],
                        path=scope["path"],
                        status=status,
                        duration_ms=round((time.perf_counter() - started) * 1000, 2),
                    )
