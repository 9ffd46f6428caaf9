"""Request ids in headers and log lines; CORS and gzip wired by the middleware stack."""

import io
import json

import httpx
import pytest
import structlog

from app.core.log import logger
from tests.logs import records


async def test_generated_request_id_is_in_header_and_log_line(
    client: httpx.AsyncClient, log_lines: io.StringIO
) -> None:
    response = await client.get("/health/live")
    request_id = response.headers["x-request-id"]
    assert len(request_id) == 32
    access = [r for r in records(log_lines) if r.get("event") == "request"]
    assert access, log_lines.getvalue()
    assert access[-1]["request_id"] == request_id
    assert access[-1]["path"] == "/health/live"
    assert access[-1]["status"] == 200
    assert isinstance(access[-1]["duration_ms"], float)


async def test_sane_incoming_request_id_is_kept(client: httpx.AsyncClient, log_lines: io.StringIO) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": "client-id-12345678"})
    assert response.headers["x-request-id"] == "client-id-12345678"
    assert any(r.get("request_id") == "client-id-12345678" for r in records(log_lines))


@pytest.mark.parametrize("incoming", ["short", "x" * 200, "bad id with spaces", "new\\nline-injection"])
async def test_insane_incoming_request_id_is_replaced(client: httpx.AsyncClient, incoming: str) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": incoming})
    assert response.headers["x-request-id"] != incoming
    assert len(response.headers["x-request-id"]) == 32


async def test_unhandled_error_is_logged_with_traceback_and_request_id(
    client: httpx.AsyncClient, log_lines: io.StringIO
) -> None:
    response = await client.get("/api/v1/widgets/boom/now")
    assert response.status_code == 500
    errors = [r for r in records(log_lines) if r.get("event") == "unhandled error"]
    assert len(errors) == 1
    assert errors[0]["request_id"] == response.headers["x-request-id"]
    assert "RuntimeError" in json.dumps(errors[0]["exception"])


async def test_secrets_are_redacted_from_log_lines(log_lines: io.StringIO) -> None:
    logger.info("login attempt", password="hunter2", user={"name": "ann", "api_key": "k-123"})
    line = records(log_lines)[-1]
    assert "hunter2" not in log_lines.getvalue()
    assert "k-123" not in log_lines.getvalue()
    assert line["user"] == {"name": "ann", "api_key": "**********"}


async def test_cors_preflight_allows_configured_origin(client: httpx.AsyncClient) -> None:
    response = await client.options(
        "/health/live",
        headers={"Origin": "http://frontend.test", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://frontend.test"


async def test_large_responses_are_gzipped(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"


async def test_async_log_methods_keep_the_context(log_lines: io.StringIO) -> None:

    with structlog.contextvars.bound_contextvars(request_id="ctx-request-1234"):
        await logger.a_info("from a thread", step=1)
        logger.bind(component="billing").warning("bound", step=2)
    lines = {line["event"]: line for line in records(log_lines)}
    assert lines["from a thread"]["request_id"] == "ctx-request-1234"
    assert lines["bound"]["component"] == "billing"
    assert lines["bound"]["level"] == "warning"
