"""Uploads: type from content, size enforced while streaming, downloads for members only."""

from collections.abc import AsyncIterator

import httpx

from app.chat.config import ChatConfig
from tests.chat.uploads import BOUNDARY, HEADERS, PNG, ROOMS, multipart, room
from tests.conftest import app_settings
from tests.users import SignIn


async def test_upload_and_download(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    owner, outsider = await sign_in(), await sign_in()
    room_id = await room(client, owner)
    response = await client.post(
        f"{ROOMS}/{room_id}/attachments",
        content=multipart(PNG, "../../etc/My Picture.png"),
        headers={**HEADERS, **owner.headers},
    )
    assert response.status_code == 201, response.text
    attachment = response.json()
    assert (attachment["content_type"], attachment["size"], attachment["filename"]) == (
        "image/png",
        len(PNG),
        "My Picture.png",
    )
    url = f"{ROOMS}/{room_id}/attachments/{attachment['id']}"
    download = await client.get(url, headers=owner.headers)
    assert download.content == PNG
    assert download.headers["content-type"] == "image/png"
    assert (await client.get(url, headers=outsider.headers)).status_code == 403
    denied = await client.post(
        f"{ROOMS}/{room_id}/attachments", content=multipart(PNG), headers={**HEADERS, **outsider.headers}
    )
    assert denied.status_code == 403


async def test_type_comes_from_the_content(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    owner = await sign_in()
    room_id = await room(client, owner)
    executable = b"\x7fELF\x02\x01\x01" + b"\x00" * 200
    response = await client.post(
        f"{ROOMS}/{room_id}/attachments",
        content=multipart(executable, "cat.png"),
        headers={**HEADERS, **owner.headers},
    )
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"
    text = await client.post(
        f"{ROOMS}/{room_id}/attachments",
        content=multipart(b"plain notes\n", "notes.txt", "text/plain"),
        headers={**HEADERS, **owner.headers},
    )
    assert text.json()["content_type"] == "text/plain"


async def test_oversize_is_refused_while_streaming(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    owner = await sign_in()
    room_id = await room(client, owner)
    limit = app_settings(ChatConfig).ATTACHMENT_MAX_BYTES
    chunk, total_chunks = 8192, 200  # 1.6 MB against the limit
    assert chunk * total_chunks > 4 * limit
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        head = multipart(b"")[: -len(f"\r\n--{BOUNDARY}--\r\n")]
        yield head + PNG
        for _ in range(total_chunks):
            sent += 1
            yield b"\x00" * chunk

    response = await client.post(
        f"{ROOMS}/{room_id}/attachments", content=body(), headers={**HEADERS, **owner.headers}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert sent < total_chunks / 2, sent


async def test_malformed_uploads(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    owner = await sign_in()
    room_id = await room(client, owner)
    url = f"{ROOMS}/{room_id}/attachments"
    assert (await client.post(url, json={"file": "x"}, headers=owner.headers)).status_code == 415
    no_file = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="other"\r\n\r\nvalue\r\n--{BOUNDARY}--\r\n'
    )
    assert (
        await client.post(url, content=no_file.encode(), headers={**HEADERS, **owner.headers})
    ).status_code == 422
    empty = await client.post(url, content=multipart(b""), headers={**HEADERS, **owner.headers})
    assert empty.status_code == 422
