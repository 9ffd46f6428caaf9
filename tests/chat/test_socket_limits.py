"""Room sockets within bounds, across API processes: one posting budget per user with REST, a cap
on each user's open sockets (that a crashed process cannot hold forever), and one Redis pub/sub
connection per process however many sockets it serves."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.chat.models import Message
from app.core.config import AppConfig
from tests.chat.sockets import (
    closed_with,
    delete_named,
    new_prefix,
    new_room,
    new_user,
    opened,
    receive,
    server_env,
    two_servers,
)
from tests.processes import api_process, eventually

pytestmark = pytest.mark.slow
POSTS_PER_MINUTE = 5
SOCKETS_PER_USER = 2


@pytest.fixture(scope="module")
def prefix() -> str:
    return new_prefix("wsl")


@pytest.fixture(scope="module")
def env(prefix: str) -> dict[str, str]:
    return server_env(
        prefix,
        RATE_LIMITER_ENABLED="true",
        CHAT_POST_RATE_PER_MINUTE=str(POSTS_PER_MINUTE),
        CHAT_WS_MAX_PER_USER=str(SOCKETS_PER_USER),
    )


@pytest.fixture(scope="module")
def servers(app_config: AppConfig, env: dict[str, str]) -> Iterator[tuple[str, str]]:
    with two_servers(env) as pair:
        yield pair


@pytest.fixture(scope="module", autouse=True)
async def _cleanup(engine: AsyncEngine, prefix: str) -> AsyncIterator[None]:
    yield
    await delete_named(engine, prefix)


async def test_socket_posts_share_the_rest_budget_across_processes(
    servers: tuple[str, str], prefix: str, engine: AsyncEngine
) -> None:
    first, second = servers
    user = await new_user(first, f"{prefix}-poster")
    room_id = await new_room(user, f"{prefix}-budget")
    messages = f"/api/v1/chat/rooms/{room_id}/messages"
    async with httpx.AsyncClient(base_url=second) as client:
        for n in range(POSTS_PER_MINUTE - 2):
            assert (
                await client.post(messages, json={"body": f"rest {n}"}, headers=user.headers)
            ).status_code == 201
    async with opened(user, room_id) as socket:
        await receive(socket, "ready")
        for n in range(4):
            await socket.send(json.dumps({"type": "message", "body": f"socket {n}"}))
        frames = [await receive(socket) for _ in range(4)]
        await socket.send(json.dumps({"type": "ping"}))
        assert await receive(socket, "pong")  # a limited post keeps the connection
    posted = [frame["message"]["body"] for frame in frames if frame["type"] == "message"]
    refused = [frame for frame in frames if frame["type"] == "error"]
    assert posted == ["socket 0", "socket 1"]
    assert [frame["code"] for frame in refused] == ["rate_limited", "rate_limited"]
    assert all(0 < frame["retry_after"] <= 60 for frame in refused)
    async with httpx.AsyncClient(base_url=second) as client:
        assert (
            await client.post(messages, json={"body": "rest again"}, headers=user.headers)
        ).status_code == 429
    async with engine.connect() as connection:
        stored = await connection.scalar(select(func.count()).where(Message.room_id == room_id))
    assert stored == POSTS_PER_MINUTE


async def test_sockets_per_user_are_capped_across_processes_and_a_crash_frees_its_slots(
    servers: tuple[str, str], env: dict[str, str], prefix: str
) -> None:
    first, second = servers
    user = await new_user(first, f"{prefix}-capped")
    room_id = await new_room(user, f"{prefix}-cap")
    async with opened(user, room_id, base=first) as one, opened(user, room_id, base=second) as two:
        await receive(one, "ready")
        await receive(two, "ready")
        assert await closed_with(user.ws_url(room_id), subprotocols=["bearer", user.token]) == 4429

    async def admitted(base: str | None = None) -> bool:
        try:
            async with opened(user, room_id, base=base) as socket:
                return bool(await receive(socket, "ready"))
        except Exception:  # refused (4429) while slots are still held
            return False

    # Closed sockets give their slots back once their server has seen them go. A slot left to its
    # lease (3 heartbeats, renewed every second) would still hold for 2 s at least.
    assert await eventually(lambda: admitted(second), seconds=1.5)

    async with contextlib.AsyncExitStack() as sockets:
        with api_process(env) as (doomed, process):
            for _ in range(SOCKETS_PER_USER):
                await receive(await sockets.enter_async_context(opened(user, room_id, base=doomed)), "ready")
            assert await closed_with(user.ws_url(room_id), subprotocols=["bearer", user.token]) == 4429
            process.kill()  # no socket of it says goodbye: its slots lapse with their leases

    assert await eventually(admitted, seconds=15)


async def test_sockets_of_a_process_share_one_subscription(
    servers: tuple[str, str], prefix: str, redis: Redis
) -> None:
    first, second = servers
    users = [await new_user(first, f"{prefix}-crowd{n}") for n in range(3)]
    rooms = [await new_room(users[0], f"{prefix}-crowd{n}", *users[1:]) for n in range(2)]
    channels = [f"{prefix}:room:{room_id}" for room_id in rooms] + [f"{prefix}:room:control"]
    async with contextlib.AsyncExitStack() as stack:
        sockets = [
            await stack.enter_async_context(opened(user, room_id)) for user in users for room_id in rooms
        ]
        for socket in sockets:
            await receive(socket, "ready")
        # Six sockets on the first process, one connection: each room once, the control channel
        # once per process.
        assert await redis.pubsub_numsub(*channels) == [
            (channel.encode(), count) for channel, count in zip(channels, [1, 1, 2], strict=True)
        ]
        async with httpx.AsyncClient(base_url=second) as client:
            posted = await client.post(
                f"/api/v1/chat/rooms/{rooms[0]}/messages", json={"body": "to all"}, headers=users[1].headers
            )
        assert posted.status_code == 201, posted.text
        in_first_room = sockets[0::2]
        received = await asyncio.gather(*(receive(socket, "message") for socket in in_first_room))
        assert [frame["message"]["body"] for frame in received] == ["to all"] * len(users)
