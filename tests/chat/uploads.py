"""Helpers for the upload tests: multipart bodies built by hand (so they can be broken on purpose),
a room to upload into, and the chat settings a test needs."""

from collections.abc import Iterator
from pathlib import Path

import httpx
from fastapi import FastAPI

from app.chat.config import ChatConfig
from tests.users import API, Signed

ROOMS = f"{API}/chat/rooms"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
BOUNDARY = "kitboundary"
HEADERS = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
CLOSING = f"\r\n--{BOUNDARY}--\r\n".encode()


async def room(client: httpx.AsyncClient, owner: Signed) -> int:
    return int((await client.post(ROOMS, json={"name": "files"}, headers=owner.headers)).json()["id"])


def part_head(filename: str = "picture.png", claimed: str = "image/png") -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {claimed}\r\n\r\n"
    ).encode()


def multipart(content: bytes, filename: str = "picture.png", claimed: str = "image/png") -> bytes:
    return part_head(filename, claimed) + content + CLOSING


def stored_files(directory: Path) -> list[Path]:
    return [path for path in directory.rglob("*") if path.is_file()]


def override_chat_config(app: FastAPI, **settings: object) -> Iterator[ChatConfig]:
    """Body of a fixture: the app sees these chat settings until the test ends."""
    config = app.state.resources.settings(ChatConfig)
    saved = {name: getattr(config, name) for name in settings}
    for name, value in settings.items():
        setattr(config, name, value)
    yield config
    for name, value in saved.items():
        setattr(config, name, value)
