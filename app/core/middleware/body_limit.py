"""Request body size limit (413 problem+json), enforced while the body streams in.

A declared Content-Length over the limit is refused before the application runs; a chunked body
is counted as it arrives and refused as soon as it crosses the limit, so an oversized body is
never read into memory.
"""

import re
from collections.abc import Sequence

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.api.problems import problem_response

_DETAIL = "The request body is larger than the {limit} bytes allowed."


class BodyTooLarge(HTTPException):
    """Raised from `receive`; an HTTPException so FastAPI's body parsing passes it through untouched
    to the problem+json handler instead of turning it into a 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=_DETAIL.format(limit=limit))


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int, overrides: Sequence[tuple[str, int]] = ()) -> None:
        """`overrides`: (path regex, bytes) of routes that accept larger bodies (uploads), as
        their modules declare them when the app installs them."""
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.overrides = [(re.compile(pattern), max_bytes) for pattern, max_bytes in overrides]

    def _limit_for(self, path: str) -> int:
        for pattern, max_bytes in self.overrides:
            if pattern.fullmatch(path):
                return max_bytes
        return self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        limit = self._limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            response = problem_response(
                413, code="payload_too_large", detail=_DETAIL.format(limit=limit), instance=scope["path"]
            )
            await response(scope, receive, send)
            return

        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counting_receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
