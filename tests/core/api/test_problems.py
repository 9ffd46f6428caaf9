"""Every error is RFC 9457 problem+json: FastAPI's own, ours, and unhandled ones."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

PROBLEM = "application/problem+json"


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == "about:blank"
    assert body["title"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body


async def test_unknown_route_is_404(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/no/such/route"), 404, "not_found")
    assert body["instance"] == "/no/such/route"


async def test_app_error_is_rendered(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/api/v1/widgets/999999"), 404, "not_found")
    assert body["detail"] == "Widget 999999 does not exist."


async def test_wrong_method_is_405_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.put("/health/live")
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]


async def test_validation_error_is_422_with_field_errors(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/widgets", json={"name": "", "price": -1})
    body = assert_problem(response, 422, "validation_error")
    locations = {tuple(error["loc"]) for error in body["errors"]}
    assert locations == {("body", "name"), ("body", "price")}


async def test_invalid_json_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/widgets", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_problem(response, 422, "validation_error")


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "al", "password": "hunter2-is-secret"},  # error elsewhere, secret in `input`
        {"username": "alice", "password": "Pw#4x!9"},  # error on the secret field itself
        {"password": "hunter2-is-secret"},  # missing field: `input` is the whole body
    ],
)
async def test_422_never_echoes_secret_values(client: httpx.AsyncClient, payload: dict[str, str]) -> None:
    response = await client.post("/api/v1/widgets/secret", json=payload)
    assert_problem(response, 422, "validation_error")
    assert payload["password"] not in response.text


async def test_unhandled_error_is_500_without_internals(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/widgets/boom/now")
    body = assert_problem(response, 500, "internal_error")
    assert "secret internals" not in response.text
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    assert body["detail"] == "The server could not complete the request."


async def test_declared_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/widgets/echo", json={"data": "x" * 70_000})
    assert_problem(response, 413, "payload_too_large")


async def test_streamed_oversized_body_is_413_while_streaming(client: httpx.AsyncClient) -> None:
    sent: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):  # 100 x 8 KiB = 800 KiB against a 64 KiB limit
            sent.append(1)
            yield b"x" * 8192

    response = await client.post(
        "/api/v1/widgets/echo", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_problem(response, 413, "payload_too_large")
    # The limit is enforced while reading: the rest of the body is never consumed.
    assert len(sent) < 100


async def test_untrusted_host_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/widgets", headers={"host": "evil.example"})
    assert_problem(response, 400, "invalid_host")


async def test_probes_answer_whatever_host_they_address(client: httpx.AsyncClient) -> None:
    # Orchestrators and scrapers reach a process by its IP; these paths build no URL from it.
    for path in ("/health/live", "/metrics"):
        assert (await client.get(path, headers={"host": "10.1.2.3:8000"})).status_code == 200, path
    # Only those exact paths: a trailing-slash redirect would carry the forged host.
    redirected = await client.get("/health/live/", headers={"host": "evil.example"})
    assert_problem(redirected, 400, "invalid_host")


async def test_openapi_documents_errors_as_problem_json(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    error_contents = [
        response["content"]
        for path in schema["paths"].values()
        for operation in path.values()
        for status, response in operation["responses"].items()
        if status[0] in "45"
    ]
    assert error_contents, "no documented error responses"
    assert all(list(content) == [PROBLEM] for content in error_contents)
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    assert "Problem" in schema["components"]["schemas"]


async def test_405_lists_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    # POST and GET live on two routes with the same path.
    response = await client.put("/api/v1/widgets")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


async def test_422_echoing_a_huge_integer_is_still_a_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/widgets", json={"name": 10**40})
    assert_problem(response, 422, "validation_error")
    assert response.json()["errors"][0]["input"] == str(10**40)
