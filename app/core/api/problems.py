"""RFC 9457 problem details for every error the API returns.

One renderer, used by the exception handlers below and by the pure ASGI middlewares that answer
before routing (body too large, untrusted host, unhandled exception).
"""

import re
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

import orjson
from pydantic import BaseModel, Field
from starlette.responses import Response

from app.core.log import bound_context, is_secret_key, redact

PROBLEM_CONTENT_TYPE = "application/problem+json"


class ProblemError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str
    input: Any = None


class Problem(BaseModel):
    """The body of every error response (RFC 9457), with `code` and `request_id` extensions."""

    type: str = Field(default="about:blank", description="A URI reference identifying the problem type.")
    title: str = Field(description="The HTTP status phrase.")
    status: int
    detail: str | None = None
    instance: str | None = Field(default=None, description="The path of the request.")
    code: str = Field(description="Stable machine-readable error code.")
    request_id: str | None = None
    errors: list[ProblemError] | None = Field(default=None, description="Field errors of a 422.")


def problem_body(
    status: int,
    *,
    code: str,
    detail: str | None = None,
    instance: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
        "request_id": bound_context().get("request_id"),
    }
    if extra:
        body.update(extra)
    return body


def problem_response(
    status: int,
    *,
    code: str,
    detail: str | None = None,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    body = problem_body(status, code=code, detail=detail, instance=instance, extra=extra)
    return Response(
        content=orjson.dumps(body, default=str),
        status_code=status,
        headers=dict(headers or {}),
        media_type=PROBLEM_CONTENT_TYPE,
    )


_INT64 = 2**63
_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_safe(value: Any) -> Any:
    """orjson refuses integers beyond 64 bits and text with lone surrogates, both of which a
    client can send: echo those as text it can encode (`\\ud800` spelled out)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and _SURROGATE.search(value):
        return value.encode("utf-8", "backslashreplace").decode()
    if isinstance(value, int) and not -_INT64 <= value < _INT64:
        return str(value)
    if isinstance(value, Mapping):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    return value


def sanitize_validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Field errors without secrets: no `input` for a secret field, secret keys masked elsewhere.

    `ctx` is dropped: it can hold exception objects and repeats what `msg` already says.
    """
    cleaned = []
    for error in errors:
        loc = [part if isinstance(part, int) else str(part) for part in error.get("loc", ())]
        item: dict[str, Any] = {"loc": loc, "msg": str(error.get("msg", "")), "type": error.get("type", "")}
        # An unknown field's value is never echoed: the client named it wrong, so its name says
        # nothing of what it holds (a code sent as `code` rather than `passcode`).
        echo = error.get("type") != "extra_forbidden" and not any(is_secret_key(part) for part in loc)
        if "input" in error and echo:
            item["input"] = _json_safe(redact(error["input"]))
        cleaned.append(item)
    return cleaned


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting problem+json errors of a route."""
    return {status: {"model": Problem, "description": HTTPStatus(status).phrase} for status in statuses}
