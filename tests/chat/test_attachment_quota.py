"""Each user's attachments share one storage quota, counted in the database: it holds across
uploads in one process and uploads racing in two."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.auth.models import User
from app.chat.config import ChatConfig
from app.chat.models import Attachment, Room
from tests.chat.uploads import (
    CLOSING,
    HEADERS,
    PNG,
    ROOMS,
    multipart,
    override_chat_config,
    part_head,
    room,
    stored_files,
)
from tests.processes import api_server
from tests.users import Signed, SignIn

NOTE = b"a note of exactly one hundred bytes".ljust(100, b".")
QUOTA = 2 * len(PNG) + len(NOTE)


@pytest.fixture
def chat_config(app: FastAPI, tmp_path: Path) -> Iterator[ChatConfig]:
    yield from override_chat_config(app, STORAGE_DIR=str(tmp_path), ATTACHMENT_QUOTA_BYTES=QUOTA)


async def upload(client: httpx.AsyncClient, url: str, user: Signed, content: bytes) -> httpx.Response:
    return await client.post(url, content=multipart(content), headers={**HEADERS, **user.headers})


async def test_uploads_fill_the_quota_and_the_next_is_refused_with_nothing_stored(
    client: httpx.AsyncClient, sign_in: SignIn, chat_config: ChatConfig, db_session: AsyncSession
) -> None:
    owner, other = await sign_in(), await sign_in()
    url = f"{ROOMS}/{await room(client, owner)}/attachments"
    for _ in range(2):
        assert (await upload(client, url, owner, PNG)).status_code == 201
    # Over the quota by a file that was read in full: refused, and its bytes deleted.
    over = await upload(client, url, owner, PNG)
    assert over.status_code == 413, over.text
    assert over.headers["content-type"] == "application/problem+json"
    assert over.json()["code"] == "attachment_quota_exceeded"
    assert (over.json()["used_bytes"], over.json()["quota_bytes"]) == (2 * len(PNG), QUOTA)
    # What still fits is accepted, to the byte; then nothing more, refused before the body is read.
    assert (await upload(client, url, owner, NOTE)).status_code == 201
    full = await upload(client, url, owner, b"x")
    assert full.status_code == 413
    assert full.json()["code"] == "attachment_quota_exceeded"
    uploaded = select(func.count()).where(Attachment.uploader_id == owner.user.id)
    assert await db_session.scalar(uploaded) == 3
    assert len(stored_files(Path(chat_config.STORAGE_DIR))) == 3
    # The quota is each user's own.
    other_url = f"{ROOMS}/{await room(client, other)}/attachments"
    assert (await upload(client, other_url, other, PNG)).status_code == 201


@pytest.fixture
async def name(engine: AsyncEngine) -> AsyncIterator[str]:
    value = f"quota{uuid.uuid4().hex[:8]}"
    yield value
    async with engine.begin() as connection:
        await connection.execute(delete(Room).where(Room.name == value))
        await connection.execute(delete(User).where(User.username == value))


@pytest.mark.slow
async def test_racing_uploads_in_two_processes_cannot_exceed_the_quota(name: str, tmp_path: Path) -> None:
    fits = 3
    env = {
        "CHAT_STORAGE_DIR": str(tmp_path),
        "CHAT_ATTACHMENT_QUOTA_BYTES": str(fits * len(PNG)),
        "LOG_LEVEL": "WARNING",
    }
    with api_server(env) as first, api_server(env) as second:
        async with httpx.AsyncClient(base_url=first) as one, httpx.AsyncClient(base_url=second) as two:
            password = "Quota-pass-word-1"
            user = {"email": f"{name}@example.com", "username": name, "password": password}
            assert (await one.post("/api/v1/auth/register", json=user)).status_code == 201
            login = await one.post("/api/v1/auth/login", data={"username": name, "password": password})
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            room_id = (await one.post("/api/v1/chat/rooms", json={"name": name}, headers=headers)).json()[
                "id"
            ]
            url = f"/api/v1/chat/rooms/{room_id}/attachments"
            uploads = 10
            started, together = 0, asyncio.Event()

            async def body() -> AsyncIterator[bytes]:
                # Every upload is past its quota pre-check before any finishes: they all reach
                # the final count at about the same moment, where the race would be.
                nonlocal started
                yield part_head() + PNG[:64]
                started += 1
                if started == uploads:
                    # A moment for the servers to take in what was sent (not a timing assertion:
                    # shorter only makes the race less likely, never the test wrong).
                    await asyncio.sleep(0.3)
                    together.set()
                # Bounded: an upload answered early never sends its second chunk, and the others
                # would wait here for ever.
                await asyncio.wait_for(together.wait(), 30)
                yield PNG[64:] + CLOSING

            responses = await asyncio.gather(
                *(
                    client.post(url, content=body(), headers={**HEADERS, **headers})
                    for client in (one, two) * (uploads // 2)
                )
            )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * fits + [413] * (uploads - fits), [response.text for response in responses]
    assert len(stored_files(tmp_path)) == fits
