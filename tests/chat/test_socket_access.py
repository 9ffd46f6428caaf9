"""Room sockets lose their access as it ends, across API processes: a socket held by one process
closes when the revocation, the leave or the deletion goes through the other one, and when its
access token expires."""

import base64
import contextlib
import json
import os
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import jwt
import pytest
from redis.asyncio import Redis
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from websockets.exceptions import ConnectionClosed

from app.auth.config import AuthConfig
from app.auth.models import Role, User
from app.chat.models import Member, Message
from app.core.config import AppConfig
from tests.chat.sockets import (
    PASSWORD,
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
from tests.conftest import app_settings
from tests.processes import eventually

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def prefix() -> str:
    return new_prefix("wsa")


@pytest.fixture(scope="module")
def servers(app_config: AppConfig, prefix: str) -> Iterator[tuple[str, str]]:
    # Changes made straight in the database are seen at once (no cached account snapshot).
    with two_servers(server_env(prefix, AUTH_CURRENT_USER_CACHE_TTL="0")) as pair:
        yield pair


@pytest.fixture(scope="module", autouse=True)
async def _cleanup(engine: AsyncEngine, prefix: str) -> AsyncIterator[None]:
    yield
    await delete_named(engine, prefix)


async def sign_in(base: str, username: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base) as client:
        response = await client.post("/api/v1/auth/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def stored_bodies(engine: AsyncEngine, room_id: int) -> list[str]:
    async with engine.connect() as connection:
        return list((await connection.scalars(select(Message.body).where(Message.room_id == room_id))).all())


async def test_logout_everywhere_on_one_process_closes_sockets_on_the_other(
    servers: tuple[str, str], prefix: str
) -> None:
    first, second = servers
    user = await new_user(first, f"{prefix}-everywhere")
    other = await new_user(first, f"{prefix}-bystander")
    room_id = await new_room(user, f"{prefix}-everywhere", other)
    async with opened(user, room_id) as socket, opened(other, room_id) as bystander:
        await receive(socket, "ready")
        await receive(bystander, "ready")
        async with httpx.AsyncClient(base_url=second) as client:
            assert (await client.post("/api/v1/auth/logout-all", headers=user.headers)).status_code == 204
        assert (await close_code(socket))[0] == 4401
        assert await still_open(bystander)


async def test_logging_out_one_session_closes_only_its_sockets(servers: tuple[str, str], prefix: str) -> None:
    first, second = servers
    user = await new_user(first, f"{prefix}-sessions")
    room_id = await new_room(user, f"{prefix}-sessions")
    ending = await sign_in(first, f"{prefix}-sessions")
    async with opened(user, room_id, ending["access_token"]) as socket, opened(user, room_id) as kept:
        await receive(socket, "ready")
        await receive(kept, "ready")
        async with httpx.AsyncClient(base_url=second) as client:
            response = await client.post(
                "/api/v1/auth/logout",
                json={"refresh_token": ending["refresh_token"]},
                headers={"Authorization": f"Bearer {ending['access_token']}"},
            )
        assert response.status_code == 204, response.text
        assert (await close_code(socket))[0] == 4401
        assert await still_open(kept)


async def test_a_deactivated_user_is_closed_and_their_post_not_stored(
    servers: tuple[str, str], prefix: str, engine: AsyncEngine
) -> None:
    first, second = servers
    user = await new_user(first, f"{prefix}-deactivated")
    admin = await new_user(second, f"{prefix}-admin")
    async with engine.begin() as connection:
        await connection.execute(update(User).where(User.id == admin.user_id).values(role=Role.ADMIN.value))
    admin.token = (await sign_in(second, f"{prefix}-admin"))["access_token"]
    room_id = await new_room(user, f"{prefix}-deactivated")
    async with opened(user, room_id) as socket:
        await receive(socket, "ready")
        async with httpx.AsyncClient(base_url=second) as client:
            response = await client.post(
                f"/api/v1/admin/users/{user.user_id}/deactivate", headers=admin.headers
            )
        assert response.status_code == 200, response.text
        with contextlib.suppress(ConnectionClosed):  # closed already: nothing can be posted
            await socket.send(json.dumps({"type": "message", "body": "after deactivation"}))
        code, frames = await close_code(socket)
    assert code == 4401
    assert not [frame for frame in frames if frame["type"] == "message"]
    assert await stored_bodies(engine, room_id) == []


async def test_every_post_checks_the_access_again(
    servers: tuple[str, str], prefix: str, engine: AsyncEngine
) -> None:
    """Access ended by changes no close order announced (made in the database) still stops the
    next post: nothing is stored and the socket closes."""
    owner = await new_user(servers[0], f"{prefix}-recheck-owner")
    removed = await new_user(servers[0], f"{prefix}-recheck-removed")
    disabled = await new_user(servers[0], f"{prefix}-recheck-disabled")
    room_id = await new_room(owner, f"{prefix}-recheck", removed, disabled)
    async with opened(removed, room_id) as removed_socket, opened(disabled, room_id) as disabled_socket:
        await receive(removed_socket, "ready")
        await receive(disabled_socket, "ready")
        async with engine.begin() as connection:
            await connection.execute(
                delete(Member).where(Member.room_id == room_id, Member.user_id == removed.user_id)
            )
            await connection.execute(update(User).where(User.id == disabled.user_id).values(is_active=False))
        for socket in (removed_socket, disabled_socket):
            await socket.send(json.dumps({"type": "message", "body": "no longer allowed"}))
        assert (await close_code(removed_socket))[0] == 4403
        assert (await close_code(disabled_socket))[0] == 4401
    assert await stored_bodies(engine, room_id) == []


async def test_leaving_the_room_closes_with_4403_and_nothing_more_arrives(
    servers: tuple[str, str], prefix: str, engine: AsyncEngine
) -> None:
    first, second = servers
    owner = await new_user(second, f"{prefix}-stays")
    leaver = await new_user(first, f"{prefix}-leaves")
    room_id = await new_room(owner, f"{prefix}-leave", leaver)
    async with opened(leaver, room_id) as socket, opened(owner, room_id) as staying:
        await receive(socket, "ready")
        await receive(staying, "ready")
        async with httpx.AsyncClient(base_url=second) as client:
            left = await client.post(f"/api/v1/chat/rooms/{room_id}/leave", headers=leaver.headers)
            assert left.status_code == 204, left.text
            posted = await client.post(
                f"/api/v1/chat/rooms/{room_id}/messages",
                json={"body": "after you left"},
                headers=owner.headers,
            )
            assert posted.status_code == 201, posted.text
        code, frames = await close_code(socket)
        assert (await receive(staying, "message"))["message"]["body"] == "after you left"
    assert code == 4403
    assert not [frame for frame in frames if frame["type"] == "message"]
    assert await stored_bodies(engine, room_id) == ["after you left"]


async def test_deleting_the_room_closes_every_socket_in_it(servers: tuple[str, str], prefix: str) -> None:
    first, second = servers
    owner = await new_user(first, f"{prefix}-deleter")
    member = await new_user(second, f"{prefix}-member")
    room_id = await new_room(owner, f"{prefix}-deleted", member)
    async with opened(owner, room_id) as on_first, opened(member, room_id) as on_second:
        await receive(on_first, "ready")
        await receive(on_second, "ready")
        async with httpx.AsyncClient(base_url=second) as client:
            deleted = await client.delete(f"/api/v1/chat/rooms/{room_id}", headers=owner.headers)
        assert deleted.status_code == 204, deleted.text
        assert (await close_code(on_first))[0] == 4403
        assert (await close_code(on_second))[0] == 4403


def stalled_socket(peer: Peer, room_id: int) -> socket.socket:
    """A room socket whose client reads the handshake's answer and nothing more."""
    host, port = peer.base.removeprefix("http://").split(":")
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # the server's sends soon block
    client.settimeout(10)
    client.connect((host, int(port)))
    request = [
        f"GET /api/v1/chat/rooms/{room_id}/ws HTTP/1.1",
        f"Host: {host}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}",
        "Sec-WebSocket-Version: 13",
        f"Sec-WebSocket-Protocol: bearer, {peer.token}",
    ]
    client.sendall(("\r\n".join(request) + "\r\n\r\n").encode())
    assert client.recv(12, socket.MSG_WAITALL) == b"HTTP/1.1 101"
    return client


async def test_a_socket_whose_client_stopped_reading_still_lets_go_when_access_ends(
    servers: tuple[str, str], prefix: str, redis: Redis
) -> None:
    """The server's sends to such a client are stuck; the close order must not wait for them."""
    first, second = servers
    owner = await new_user(second, f"{prefix}-flooder")
    stalled = await new_user(first, f"{prefix}-stalled")
    room_id = await new_room(owner, f"{prefix}-stalled", stalled)
    channel = f"{prefix}:room:{room_id}"

    async def subscribers() -> int:
        return int(dict(await redis.pubsub_numsub(channel))[channel.encode()])

    with stalled_socket(stalled, room_id):
        assert await eventually(subscribers)
        # Room events straight on the room's channel: megabytes the client never reads, more
        # than the buffers between the two hold, without thousands of posts.
        for n in range(160):
            await redis.publish(channel, json.dumps({"type": "message", "n": n, "filler": "x" * 50_000}))
        async with httpx.AsyncClient(base_url=second) as client:
            left = await client.post(f"/api/v1/chat/rooms/{room_id}/leave", headers=stalled.headers)
            assert left.status_code == 204, left.text

        async def unsubscribed() -> bool:
            return await subscribers() == 0

        # Still not reading: the server has let go of the socket, its room's subscription with it.
        assert await eventually(unsubscribed, seconds=10)


def expiring_in(token: str, seconds: int) -> str:
    """The same access token (user, session, token version) with an earlier expiry, signed with
    the deployment's key: the shortest TTL the settings allow is 30 seconds."""
    config = app_settings(AuthConfig)
    claims = jwt.decode(
        token, config.jwt_secret, algorithms=[config.JWT_ALGORITHM], audience=config.JWT_AUDIENCE
    )
    claims["exp"] = int(time.time()) + seconds
    return jwt.encode(claims, config.jwt_secret, algorithm=config.JWT_ALGORITHM)


async def test_a_silent_socket_closes_when_its_token_expires(servers: tuple[str, str], prefix: str) -> None:
    user = await new_user(servers[0], f"{prefix}-expiring")
    room_id = await new_room(user, f"{prefix}-expiry")
    async with opened(user, room_id, expiring_in(user.token, 2)) as socket:
        await receive(socket, "ready")
        code, _ = await close_code(socket, seconds=8)
    assert code == 4401
