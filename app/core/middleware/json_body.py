"""JSON request bodies the application can hold: bounded nesting, text that is Unicode.

Python's json module (what FastAPI parses with) accepts two things that fail far from the request:
a lone UTF-16 surrogate (`"\\ud800"`, or its raw bytes) becomes a str no UTF-8 encoder takes (the
database driver, the response renderer: a 500 from any text field), and nesting is bounded only by
the interpreter's recursion limit (deep input breaks rendering the 422 that echoes it). A JSON
body with either is answered here with a 422 shaped like FastAPI's own for invalid JSON, before
any route reads it.

The body is read in full first; BodyLimitMiddleware, outside this one, bounds it. Two byte scans
decide whether a body needs a look at all, so an ordinary body is never parsed twice.
"""

import json
import re
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.api.problems import problem_response
from app.core.middleware.body_limit import BodyTooLarge

# A \uD800-\uDFFF escape, raw surrogate bytes (never valid UTF-8), or NUL bytes (UTF-16 or UTF-32,
# which json.loads also decodes). Only bodies with one of these can hold a lone surrogate.
_SURROGATE_SUSPECT = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]|\x00")
_SURROGATE = re.compile("[\ud800-\udfff]")
LONE_SURROGATE = "The JSON text holds a lone UTF-16 surrogate (such as \\ud800), which is not Unicode text."
TOO_DEEP = "The JSON document nests deeper than {max_depth} levels."


def is_json(scope: Scope) -> bool:
    """Whether FastAPI would parse the body as JSON (application/json or application/*+json)."""
    content_type = Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower()
    main, _, subtype = content_type.partition("/")
    return main == "application" and (subtype == "json" or subtype.endswith("+json"))


def json_body_problem(body: bytes, max_depth: int) -> str | None:
    """Why `body` is refused, or None. Text that is not JSON at all is left to the route's own
    parsing (FastAPI's 422 `json_invalid`)."""
    may_be_deep = body.count(b"[") + body.count(b"{") > max_depth
    if not may_be_deep and not _SURROGATE_SUSPECT.search(body):
        return None
    try:
        document = json.loads(body)
    except RecursionError:
        return TOO_DEEP.format(max_depth=max_depth)
    except ValueError:
        return None
    return _document_problem(document, max_depth)


def _document_problem(document: Any, max_depth: int) -> str | None:
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return LONE_SURROGATE
        elif isinstance(value, dict | list):
            if depth > max_depth:
                return TOO_DEEP.format(max_depth=max_depth)
            children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)
    return None


class JsonBodyMiddleware:
    def __init__(self, app: ASGIApp, max_depth: int) -> None:
        self.app = app
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_json(scope):
            await self.app(scope, receive, send)
            return
        try:
            message = await _read_body(receive)
        except BodyTooLarge as error:
            response = problem_response(
                413, code="payload_too_large", detail=error.detail, instance=scope["path"]
            )
            await response(scope, receive, send)
            return
        problem = json_body_problem(message.get("body", b""), self.max_depth)
        if problem is not None:
            refused = problem_response(
                422,
                code="validation_error",
                detail="The request is not valid.",
                instance=scope["path"],
                extra={"errors": [{"loc": ["body"], "msg": problem, "type": "json_invalid"}]},
            )
            await refused(scope, receive, send)
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return message

        await self.app(scope, replay, send)


async def _read_body(receive: Receive) -> Message:
    """The whole body as one message (or the disconnect that cut it short, for the app to see)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return message
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
