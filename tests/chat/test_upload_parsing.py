"""The multipart body of an upload, as a careless or hostile client sends it: text whose first
bytes end inside a character, a body cut off before its closing boundary, a huge part header."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.chat.config import ChatConfig
from app.chat.models import Attachment
from tests.chat.uploads import (
    BOUNDARY,
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
from tests.users import SignIn

JAPANESE = "日本語のテキストです。改行も含みます。\n".encode() * 3


@pytest.fixture
def chat_config(app: FastAPI, tmp_path: Path) -> Iterator[ChatConfig]:
    yield from override_chat_config(app, STORAGE_DIR=str(tmp_path))


async def attachments_of(db_session: AsyncSession, room_id: int) -> int:
    return int(await db_session.scalar(select(func.count()).where(Attachment.room_id == room_id)) or 0)


async def test_text_whose_prefix_ends_inside_a_character_is_text(
    client: httpx.AsyncClient, sign_in: SignIn, chat_config: ChatConfig
) -> None:
    owner = await sign_in()
    room_id = await room(client, owner)
    url = f"{ROOMS}/{room_id}/attachments"
    # Three bytes a character: no prefix of 16 bytes ends on a character boundary.
    assert JAPANESE[:16].decode("utf-8", "ignore").encode() != JAPANESE[:16]
    response = await client.post(
        url, content=multipart(JAPANESE, "notes.txt", "text/plain"), headers={**HEADERS, **owner.headers}
    )
    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == "text/plain"
    download = await client.get(f"{url}/{response.json()['id']}", headers=owner.headers)
    assert download.content == JAPANESE
    # A whole file that ends inside a character is not valid text, and invalid bytes in the
    # prefix are still refused.
    for broken in (JAPANESE[:7], b"plain\xff" + JAPANESE):
        refused = await client.post(
            url, content=multipart(broken, "notes.txt", "text/plain"), headers={**HEADERS, **owner.headers}
        )
        assert refused.status_code == 415, (broken, refused.text)


@pytest.mark.parametrize(
    "ending",
    [
        b"",  # the connection closed right after the file's bytes
        CLOSING[:8],  # inside the closing boundary
        f"\r\n--{BOUNDARY}\r\n".encode(),  # a next part announced, never sent
    ],
)
async def test_a_body_without_its_closing_boundary_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient,
    sign_in: SignIn,
    chat_config: ChatConfig,
    db_session: AsyncSession,
    ending: bytes,
) -> None:
    owner = await sign_in()
    room_id = await room(client, owner)
    response = await client.post(
        f"{ROOMS}/{room_id}/attachments",
        content=part_head() + PNG + ending,
        headers={**HEADERS, **owner.headers},
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "closing boundary" in response.json()["detail"]
    assert await attachments_of(db_session, room_id) == 0
    assert stored_files(Path(chat_config.STORAGE_DIR)) == []


async def test_an_oversized_part_header_is_a_clean_400(
    client: httpx.AsyncClient, sign_in: SignIn, chat_config: ChatConfig
) -> None:
    owner = await sign_in()
    room_id = await room(client, owner)
    url = f"{ROOMS}/{room_id}/attachments"

    async def huge_header() -> AsyncIterator[bytes]:
        # 900 KB of one header line, streamed as a client would send it.
        yield f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
        for _ in range(900):
            yield b"a" * 1024
        yield b'"\r\n\r\n' + PNG + CLOSING

    response = await client.post(url, content=huge_header(), headers={**HEADERS, **owner.headers})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "header" in response.json()["detail"]
    assert stored_files(Path(chat_config.STORAGE_DIR)) == []
    # A boundary longer than multipart allows is the same kind of mistake.
    long_boundary = {"Content-Type": f"multipart/form-data; boundary={'b' * 300}"}
    refused = await client.post(url, content=multipart(PNG), headers={**long_boundary, **owner.headers})
    assert refused.status_code == 400, refused.text
