"""Streamed exports against a real uvicorn process: clients that stop reading hold no database
connection, so writes and logins go on; and each user has only so many streams open at once."""

import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack

import httpx
import pytest
from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import User
from app.chat.models import Room
from tests.processes import api_server, eventually

pytestmark = pytest.mark.slow
PASSWORD = "Stream-pass-word-1"
POOLS = {
    "DATABASE_POOL_SIZE": "2",
    "DATABASE_MAX_OVERFLOW": "0",
    "DATABASE_READ_POOL_SIZE": "2",
    "DATABASE_READ_MAX_OVERFLOW": "0",
    # A request that waits for a connection fails soon instead of holding the test up.
    "DATABASE_POOL_TIMEOUT": "3",
}
STREAMS_PER_USER = 2
USERS = 3  # 3 users x 2 streams: more slow streams than both pools have connections
# Rows of about 1 KB: some 8 MB of CSV, more than a stalled socket's buffers hold on both ends.
ROWS = 8000


@pytest.fixture
def prefix() -> str:
    return f"st{uuid.uuid4().hex[:6]}"


@pytest.fixture
async def _cleanup(engine: AsyncEngine, prefix: str) -> AsyncIterator[None]:
    yield
    async with engine.begin() as connection:
        await connection.execute(delete(Room).where(Room.name.startswith(prefix)))
        await connection.execute(delete(User).where(User.username.startswith(prefix)))


@pytest.fixture
def base_url() -> Iterator[str]:
    env = {**POOLS, "CHAT_EXPORT_STREAMS_PER_USER": str(STREAMS_PER_USER), "LOG_LEVEL": "WARNING"}
    with api_server(env) as base:
        yield base


async def signed_in(client: httpx.AsyncClient, name: str) -> dict[str, str]:
    user = {"email": f"{name}@example.com", "username": name, "password": PASSWORD}
    assert (await client.post("/api/v1/auth/register", json=user)).status_code == 201
    login = await client.post("/api/v1/auth/login", data={"username": name, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def stalled_export(base_url: str, path: str, headers: dict[str, str]) -> socket.socket:
    """An export request whose client reads the status line and then nothing more."""
    host, port = base_url.removeprefix("http://").split(":")
    client = socket.socket()
    # A small receive window: the server's sends block after a few kilobytes.
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.settimeout(10)
    client.connect((host, int(port)))
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items())]
    client.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    assert client.recv(12, socket.MSG_WAITALL) == b"HTTP/1.1 200"
    return client


@pytest.mark.usefixtures("_cleanup")
async def test_stalled_exports_hold_no_connection_and_are_capped_per_user(
    base_url: str, engine: AsyncEngine, prefix: str
) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=15) as client:
        users = [await signed_in(client, f"{prefix}u{n}") for n in range(USERS)]
        owner = users[0]
        room = await client.post("/api/v1/chat/rooms", json={"name": f"{prefix}room"}, headers=owner)
        room_id = room.json()["id"]
        for member in users[1:]:
            assert (
                await client.post(f"/api/v1/chat/rooms/{room_id}/join", headers=member)
            ).status_code == 204
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO chat_message (room_id, body, created_at, updated_at) "
                    "SELECT :room, n || repeat('x', 1000), now(), now() FROM generate_series(1, :rows) AS n"
                ),
                {"room": room_id, "rows": ROWS},
            )
        export = f"/api/v1/chat/rooms/{room_id}/export.csv"

        with ExitStack() as stalled:
            for headers in users:
                for _ in range(STREAMS_PER_USER):
                    stalled.enter_context(stalled_export(base_url, export, headers))

            # Writes and logins have their connections, reads too.
            posted = await client.post(
                f"/api/v1/chat/rooms/{room_id}/messages", json={"body": "still here"}, headers=owner
            )
            assert posted.status_code == 201, posted.text
            login = await client.post(
                "/api/v1/auth/login", data={"username": f"{prefix}u1", "password": PASSWORD}
            )
            assert login.status_code == 200, login.text
            assert (
                await client.get(f"/api/v1/chat/rooms/{room_id}/members", headers=owner)
            ).status_code == 200

            # One stream too many for this user.
            refused = await client.get(export, headers=owner)
            assert refused.status_code == 429
            assert refused.headers["content-type"] == "application/problem+json"
            assert int(refused.headers["Retry-After"]) > 0

        # Gone clients free their places.
        async def streams_again() -> bool:
            async with client.stream("GET", export, headers=owner) as response:
                return response.status_code == 200

        assert await eventually(streams_again, seconds=10)
