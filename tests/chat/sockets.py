"""Helpers for the room WebSocket tests, against real uvicorn processes: two API servers with
channels of their own, users and rooms made over HTTP, frames read with a deadline."""

import asyncio
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from app.auth.models import User
from app.chat.models import Room
from tests.processes import api_server

PASSWORD = "Socket-pass-word-1"


def new_prefix(kind: str) -> str:
    """Names of one test module's own: its users, rooms and Redis channels."""
    return f"{kind}{uuid.uuid4().hex[:6]}"


def server_env(prefix: str, **env: str) -> dict[str, str]:
    """Settings of the test's API processes: heartbeats every second, channels of their own."""
    return {
        "CHAT_WS_HEARTBEAT_INTERVAL": "1",
        # Pub/sub channels are shared by every Redis database: other suites' processes stay out.
        "CHAT_CHANNEL_PREFIX": f"{prefix}:room",
        "LOG_LEVEL": "WARNING",
        **env,
    }


@contextmanager
def two_servers(env: dict[str, str]) -> Iterator[tuple[str, str]]:
    """Two API processes sharing PostgreSQL and Redis; their base URLs."""
    with api_server(env) as first, api_server(env) as second:
        yield first, second


async def delete_named(engine: AsyncEngine, prefix: str) -> None:
    """The rooms and users whose names start with `prefix`."""
    async with engine.begin() as connection:
        await connection.execute(delete(Room).where(Room.name.startswith(prefix)))
        await connection.execute(delete(User).where(User.username.startswith(prefix)))


class Peer:
    def __init__(self, base: str, token: str, user_id: int) -> None:
        self.base, self.token, self.user_id = base, token, user_id

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def ws_url(self, room_id: int) -> str:
        return self.base.replace("http://", "ws://") + f"/api/v1/chat/rooms/{room_id}/ws"


async def new_user(base: str, name: str) -> Peer:
    async with httpx.AsyncClient(base_url=base) as client:
        registered = await client.post(
            "/api/v1/auth/register",
            json={"email": f"{name}@example.com", "username": name, "password": PASSWORD},
        )
        assert registered.status_code == 201, registered.text
        tokens = (
            await client.post("/api/v1/auth/login", data={"username": name, "password": PASSWORD})
        ).json()
    return Peer(base, tokens["access_token"], registered.json()["id"])


async def new_room(owner: Peer, name: str, *members: Peer) -> int:
    async with httpx.AsyncClient(base_url=owner.base) as client:
        room_id = int(
            (await client.post("/api/v1/chat/rooms", json={"name": name}, headers=owner.headers)).json()["id"]
        )
        for member in members:
            assert (
                await client.post(f"/api/v1/chat/rooms/{room_id}/join", headers=member.headers)
            ).status_code == 204
    return room_id


def opened(peer: Peer, room_id: int, token: str | None = None, base: str | None = None) -> Any:
    """A room socket of `peer` (on `base`, or the server it signed up on), authenticated by
    subprotocol with `token` or its own."""
    url = Peer(base or peer.base, peer.token, peer.user_id).ws_url(room_id)
    return connect(url, subprotocols=["bearer", token or peer.token])  # type: ignore[list-item]


async def receive(socket: ClientConnection, kind: str | None = None, seconds: float = 5.0) -> dict[str, Any]:
    """The next frame (of `kind`, skipping heartbeats)."""
    async with asyncio.timeout(seconds):
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] == "ping" and kind != "ping":
                continue
            if kind is None or frame["type"] == kind:
                return dict(frame)


async def closed_with(url: str, **options: Any) -> int:
    async with connect(url, **options) as socket:
        with pytest.raises(ConnectionClosed) as closed:
            await receive(socket, "ready")
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def post_across(
    poster_base: str, listener_base: str, prefix: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A message posted over REST on one process, and the frame a socket on the other received:
    (the posted message, the frame)."""
    poster = await new_user(poster_base, f"{prefix}-poster")
    listener = await new_user(listener_base, f"{prefix}-listener")
    room_id = await new_room(poster, f"{prefix}-cross", listener)
    async with connect(listener.ws_url(room_id), subprotocols=["bearer", listener.token]) as socket:  # type: ignore[list-item]
        await receive(socket, "ready")
        async with httpx.AsyncClient(base_url=poster_base) as client:
            posted = await client.post(
                f"/api/v1/chat/rooms/{room_id}/messages", json={"body": "across"}, headers=poster.headers
            )
        assert posted.status_code == 201, posted.text
        frame = await receive(socket, "message")
    return posted.json(), frame


async def close_code(socket: ClientConnection, seconds: float = 10.0) -> tuple[int, list[dict[str, Any]]]:
    """Reads until the server closes the socket: (its close code, the frames read before)."""
    frames: list[dict[str, Any]] = []
    try:
        async with asyncio.timeout(seconds):
            while True:
                frames.append(json.loads(await socket.recv()))
    except ConnectionClosed as closed:
        # No close frame (the connection dropped) reads as 1006, as browsers report it.
        return (closed.rcvd.code if closed.rcvd else 1006), frames


async def still_open(socket: ClientConnection) -> bool:
    await socket.send(json.dumps({"type": "ping"}))
    return bool(await receive(socket, "pong"))
