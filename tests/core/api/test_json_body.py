"""JSON bodies Python's parser accepts but nothing downstream can hold: lone surrogates and deep
nesting are a 422 on the real routes, never a 500."""

from collections.abc import Awaitable, Callable

import httpx
import pytest

from app.core.config import AppConfig
from tests.core.api.test_problems import assert_problem
from tests.processes import api
from tests.users import Signed

JSON = {"content-type": "application/json"}
# The same lone surrogate as a JSON escape and as raw bytes (CESU-8, which json.loads also takes).
LONE_SURROGATES = [b"\\ud800", b"\xed\xa0\x80"]
DEEP = b"[" * 20_000 + b"]" * 20_000


def assert_refused_json(response: httpx.Response, reason: str) -> None:
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"] == [{"loc": ["body"], "msg": body["errors"][0]["msg"], "type": "json_invalid"}]
    assert reason in body["errors"][0]["msg"]


@pytest.mark.parametrize("surrogate", LONE_SURROGATES)
@pytest.mark.parametrize("field", ["email", "username", "password"])
async def test_a_lone_surrogate_in_any_register_field_is_a_422(
    client: httpx.AsyncClient, field: str, surrogate: bytes
) -> None:
    values = {"email": b"ann@example.com", "username": b"ann", "password": b"a-fine-passphrase"}
    values[field] = values[field][:3] + surrogate + values[field][3:]
    body = b'{"email": "%s", "username": "%s", "password": "%s"}' % tuple(values.values())
    response = await client.post("/api/v1/auth/register", content=body, headers=JSON)
    assert_refused_json(response, "lone UTF-16 surrogate")


async def test_a_lone_surrogate_in_a_room_name_or_a_message_is_a_422(
    client: httpx.AsyncClient, sign_in: Callable[..., Awaitable[Signed]]
) -> None:
    owner = await sign_in()
    response = await client.post(
        "/api/v1/chat/rooms", content=b'{"name": "lobby \\ud800"}', headers={**JSON, **owner.headers}
    )
    assert_refused_json(response, "lone UTF-16 surrogate")

    room = await client.post("/api/v1/chat/rooms", json={"name": "lobby"}, headers=owner.headers)
    assert room.status_code == 201, room.text
    response = await client.post(
        f"/api/v1/chat/rooms/{room.json()['id']}/messages",
        content=b'{"body": "hi \\udfff there"}',
        headers={**JSON, **owner.headers},
    )
    assert_refused_json(response, "lone UTF-16 surrogate")


async def test_surrogate_pairs_and_escaped_backslashes_are_ordinary_text(client: httpx.AsyncClient) -> None:
    # An escaped pair is one astral character; "\\ud800" is a backslash followed by text.
    response = await client.post(
        "/api/v1/widgets/echo", content=b'{"emoji": "\\ud83d\\ude00", "text": "\\\\ud800"}', headers=JSON
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"emoji": "\N{GRINNING FACE}", "text": "\\ud800"}


async def test_nesting_deeper_than_the_limit_is_a_422(
    client: httpx.AsyncClient, app_config: AppConfig
) -> None:
    limit = app_config.MAX_REQUEST_JSON_DEPTH
    too_deep = b"[" * (limit + 1) + b"]" * (limit + 1)
    response = await client.post("/api/v1/widgets/echo", content=too_deep, headers=JSON)
    assert_refused_json(response, f"deeper than {limit} levels")
    # At the limit the body is the route's to judge (here: not the object it takes).
    at_limit = b"[" * limit + b"]" * limit
    response = await client.post("/api/v1/widgets/echo", content=at_limit, headers=JSON)
    assert_problem(response, 422, "validation_error")
    assert response.json()["errors"][0]["type"] != "json_invalid"


async def test_login_refuses_deep_or_surrogate_json_with_its_limits_on(app_config: AppConfig) -> None:
    # The per-account limit reads the body before the route does: that is where these were 500s.
    limited = app_config.model_copy(update={"RATE_LIMITER_ENABLED": True})
    async with api(limited) as (client, _):
        deep = await client.post("/api/v1/auth/login", content=DEEP, headers=JSON)
        surrogate = await client.post(
            "/api/v1/auth/login", content=b'{"username": "ann\\ud800", "password": "x"}', headers=JSON
        )
    assert_refused_json(deep, "deeper than")
    assert_refused_json(surrogate, "lone UTF-16 surrogate")
