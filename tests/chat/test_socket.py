"""The room WebSocket against real uvicorn processes (two of them, sharing Redis)."""

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from websockets.asyncio.client import connect

from app.core.config import AppConfig
from tests.chat.sockets import (
    closed_with,
    delete_named,
    new_prefix,
    new_room,
    new_user,
    post_across,
    receive,
    server_env,
    two_servers,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def prefix() -> str:
    return new_prefix("ws")


@pytest.fixture(scope="module")
def servers(app_config: AppConfig, prefix: str) -> Iterator[tuple[str, str]]:
    with two_servers(server_env(prefix, CHAT_WS_AUTH_TIMEOUT="1")) as pair:
        yield pair


@pytest.fixture(scope="module", autouse=True)
async def _cleanup(engine: AsyncEngine, prefix: str) -> AsyncIterator[None]:
    yield
    await delete_named(engine, prefix)


async def test_authentication_and_membership(servers: tuple[str, str], prefix: str) -> None:
    owner = await new_user(servers[0], f"{prefix}-owner")
    stranger = await new_user(servers[0], f"{prefix}-stranger")
    room_id = await new_room(owner, f"{prefix}-auth")
    url = owner.ws_url(room_id)

    async with connect(url, subprotocols=["bearer", owner.token]) as socket:  # type: ignore[list-item]
        assert (await receive(socket, "ready"))["user_id"] == owner.user_id
    async with connect(url) as socket:
        await socket.send(json.dumps({"type": "auth", "token": owner.token}))
        assert (await receive(socket, "ready"))["room_id"] == room_id

    assert await closed_with(url, subprotocols=["bearer", "not-a-token"]) == 4401
    assert await closed_with(url) == 4401  # says nothing within CHAT_WS_AUTH_TIMEOUT
    assert await closed_with(url, subprotocols=["bearer", stranger.token]) == 4403
    assert await closed_with(owner.ws_url(999999999), subprotocols=["bearer", owner.token]) == 4404


async def test_bad_frames_get_errors_and_the_connection_stays(servers: tuple[str, str], prefix: str) -> None:
    owner = await new_user(servers[0], f"{prefix}-frames")
    room_id = await new_room(owner, f"{prefix}-frames")
    async with connect(owner.ws_url(room_id), subprotocols=["bearer", owner.token]) as socket:  # type: ignore[list-item]
        await receive(socket, "ready")
        await socket.send("{not json")
        assert (await receive(socket, "error"))["code"] == "invalid_json"
        await socket.send(json.dumps({"type": "shout", "body": "x"}))
        assert (await receive(socket, "error"))["code"] == "invalid_frame"
        await socket.send(b'{"type": "message", "body": "\xff"}')  # binary, and not even UTF-8
        assert (await receive(socket, "error"))["code"] == "invalid_frame"
        await socket.send(json.dumps({"type": "message"}))
        assert (await receive(socket, "error"))["code"] == "invalid_frame"
        await socket.send(json.dumps({"type": "message", "body": "x" * 4001}))
        assert (await receive(socket, "error"))["code"] == "invalid_frame"
        await socket.send(json.dumps({"type": "ping"}))
        assert await receive(socket, "pong")
        assert await receive(socket, "ping", seconds=3)  # the server's heartbeat
        await socket.send(json.dumps({"type": "message", "body": "still here"}))
        assert (await receive(socket, "message"))["message"]["body"] == "still here"


async def test_same_order_everywhere_and_stored_before_broadcast(
    servers: tuple[str, str], prefix: str
) -> None:
    alice = await new_user(servers[0], f"{prefix}-alice")
    bob = await new_user(servers[1], f"{prefix}-bob")
    room_id = await new_room(alice, f"{prefix}-order", bob)
    async with (
        connect(alice.ws_url(room_id), subprotocols=["bearer", alice.token]) as on_first,  # type: ignore[list-item]
        connect(bob.ws_url(room_id), subprotocols=["bearer", bob.token]) as on_second,  # type: ignore[list-item]
    ):
        await receive(on_first, "ready")
        await receive(on_second, "ready")
        for n in range(10):
            await on_first.send(json.dumps({"type": "message", "body": f"a{n}"}))
            await on_second.send(json.dumps({"type": "message", "body": f"b{n}"}))
        seen_first = [(await receive(on_first, "message"))["message"] for _ in range(20)]
        seen_second = [(await receive(on_second, "message"))["message"] for _ in range(20)]
    # Same messages in the same order on both processes (Redis's order: commit order, which for
    # concurrent senders need not be id order).
    assert [m["id"] for m in seen_first] == [m["id"] for m in seen_second]
    # Each sender's own messages keep the order they were sent in.
    assert [m["body"] for m in seen_first if m["body"].startswith("a")] == [f"a{n}" for n in range(10)]
    assert [m["body"] for m in seen_first if m["body"].startswith("b")] == [f"b{n}" for n in range(10)]
    async with httpx.AsyncClient(base_url=servers[1]) as client:
        stored = (
            await client.get(
                f"/api/v1/chat/rooms/{room_id}/messages", params={"per_page": 100}, headers=bob.headers
            )
        ).json()
    # Every broadcast message was stored (it is broadcast only after its commit).
    assert sorted(m["id"] for m in stored["items"]) == sorted(m["id"] for m in seen_first)


async def test_rest_post_on_one_process_reaches_a_socket_on_the_other(
    servers: tuple[str, str], prefix: str
) -> None:
    posted, frame = await post_across(*servers, prefix)
    assert frame["message"] == posted


async def test_disconnect_releases_the_subscription(
    servers: tuple[str, str], prefix: str, redis: Any
) -> None:
    owner = await new_user(servers[0], f"{prefix}-leaver")
    room_id = await new_room(owner, f"{prefix}-leave")
    channel = f"{prefix}:room:{room_id}"
    async with connect(owner.ws_url(room_id), subprotocols=["bearer", owner.token]) as socket:  # type: ignore[list-item]
        await receive(socket, "ready")
        assert dict(await redis.pubsub_numsub(channel))[channel.encode()] == 1
    for _ in range(50):
        if dict(await redis.pubsub_numsub(channel))[channel.encode()] == 0:
            break
        await asyncio.sleep(0.1)
    assert dict(await redis.pubsub_numsub(channel))[channel.encode()] == 0
