"""API keys on the room socket and over REST, across two API processes: `chat:read` connects and
receives, `chat:write` posts, a revoked key stops on the other process at once and its sockets
close there, and a key's posts count against its own budget on both channels."""

import json
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import AppConfig
from tests.chat.sockets import (
    Peer,
    close_code,
    delete_named,
    new_prefix,
    new_room,
    new_user,
    opened,
    receive,
    server_env,
    still_open,
    two_servers,
)

pytestmark = pytest.mark.slow
POSTS_PER_MINUTE = 2
KEYS = "/api/v1/profile/api-keys"


@pytest.fixture(scope="module")
def prefix() -> str:
    return new_prefix("wsk")


@pytest.fixture(scope="module")
def servers(app_config: AppConfig, prefix: str) -> Iterator[tuple[str, str]]:
    env = server_env(prefix, RATE_LIMITER_ENABLED="true", CHAT_POST_RATE_PER_MINUTE=str(POSTS_PER_MINUTE))
    with two_servers(env) as pair:
        yield pair


@pytest.fixture(scope="module", autouse=True)
async def _cleanup(engine: AsyncEngine, prefix: str) -> AsyncIterator[None]:
    yield
    await delete_named(engine, prefix)  # their keys go with them


async def new_key(owner: Peer, scopes: list[str], base: str | None = None) -> tuple[int, str]:
    """(id, token) of a key `owner` creates with its session."""
    async with httpx.AsyncClient(base_url=base or owner.base) as client:
        response = await client.post(KEYS, json={"name": "bot", "scopes": scopes}, headers=owner.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"], response.json()["token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_read_key_receives_but_cannot_post(servers: tuple[str, str], prefix: str) -> None:
    first, second = servers
    owner = await new_user(first, f"{prefix}-reader")
    room_id = await new_room(owner, f"{prefix}-reader")
    _, token = await new_key(owner, ["chat:read"])
    messages = f"/api/v1/chat/rooms/{room_id}/messages"
    async with opened(owner, room_id, token, base=second) as socket:
        await receive(socket, "ready")
        async with httpx.AsyncClient(base_url=first) as client:
            posted = await client.post(messages, json={"body": "hello"}, headers=owner.headers)
            assert posted.status_code == 201
            assert (await receive(socket, "message"))["message"]["body"] == "hello"
            await socket.send(json.dumps({"type": "message", "body": "from the key"}))
            refused = await receive(socket, "error")
            assert (refused["code"], refused["missing_scopes"]) == ("insufficient_scope", ["chat:write"])
            assert await still_open(socket)
            stored = (await client.get(messages, headers=bearer(token))).json()
    assert [message["body"] for message in stored["items"]] == ["hello"]


async def test_a_key_without_chat_read_cannot_connect(servers: tuple[str, str], prefix: str) -> None:
    first, _ = servers
    owner = await new_user(first, f"{prefix}-profile")
    room_id = await new_room(owner, f"{prefix}-profile")
    _, token = await new_key(owner, ["profile:read"])
    async with opened(owner, room_id, token) as socket:
        code, frames = await close_code(socket)
    assert code == 4403
    assert [(f["code"], f["missing_scopes"]) for f in frames] == [("insufficient_scope", ["chat:read"])]


async def test_a_revoked_key_stops_on_every_process_and_its_sockets_close(
    servers: tuple[str, str], prefix: str
) -> None:
    first, second = servers
    owner = await new_user(first, f"{prefix}-revoked")
    room_id = await new_room(owner, f"{prefix}-revoked")
    key_id, token = await new_key(owner, ["chat:read", "chat:write"])
    rooms = "/api/v1/chat/rooms"
    async with (
        opened(owner, room_id, token, base=second) as key_socket,
        opened(owner, room_id, base=second) as session_socket,
        httpx.AsyncClient(base_url=second) as elsewhere,
    ):
        await receive(key_socket, "ready")
        await receive(session_socket, "ready")
        await key_socket.send(json.dumps({"type": "message", "body": "by key"}))
        assert (await receive(session_socket, "message"))["message"]["body"] == "by key"
        assert (await elsewhere.get(rooms, headers=bearer(token))).status_code == 200

        async with httpx.AsyncClient(base_url=first) as here:
            assert (await here.delete(f"{KEYS}/{key_id}", headers=owner.headers)).status_code == 204
        refused = await elsewhere.get(rooms, headers=bearer(token))
        assert (refused.status_code, refused.json()["code"]) == (401, "invalid_token")
        assert (await close_code(key_socket))[0] == 4401
        # The owner's session, and its socket, are another credential.
        assert await still_open(session_socket)
        assert (await elsewhere.get(rooms, headers=owner.headers)).status_code == 200


async def test_a_key_posts_on_its_own_budget_over_rest_and_the_socket(
    servers: tuple[str, str], prefix: str
) -> None:
    first, second = servers
    owner = await new_user(first, f"{prefix}-budget")
    room_id = await new_room(owner, f"{prefix}-budget")
    _, token = await new_key(owner, ["chat:read", "chat:write"])
    _, other_token = await new_key(owner, ["chat:read", "chat:write"])
    messages = f"/api/v1/chat/rooms/{room_id}/messages"
    async with httpx.AsyncClient(base_url=second) as client:
        for n in range(POSTS_PER_MINUTE):
            assert (
                await client.post(messages, json={"body": f"rest {n}"}, headers=bearer(token))
            ).status_code == 201
        over = await client.post(messages, json={"body": "one more"}, headers=bearer(token))
        assert over.status_code == 429
        async with (
            opened(owner, room_id, token, base=first) as socket,
            opened(owner, room_id, other_token) as other,
        ):
            await receive(socket, "ready")
            await receive(other, "ready")
            await socket.send(json.dumps({"type": "message", "body": "over the socket"}))
            assert (await receive(socket, "error"))["code"] == "rate_limited"
            # Another key of the same user, and the user's session, have budgets of their own.
            await other.send(json.dumps({"type": "message", "body": "other key"}))
            assert (await receive(other, "message"))["message"]["body"] == "other key"
            assert (
                await client.post(messages, json={"body": "session"}, headers=owner.headers)
            ).status_code == 201
