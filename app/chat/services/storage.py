"""Where the chat module keeps files: a small interface, a local-directory implementation.

Swap in object storage by implementing FileStorage; keys are opaque, generated here, never taken
from user input.
"""

import secrets
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from pathlib import Path

import anyio

CHUNK = 64 * 1024


class FileStorage(ABC):
    @abstractmethod
    def new_key(self, suffix: str) -> str: ...

    @abstractmethod
    async def write(self, key: str, chunks: AsyncIterator[bytes]) -> int:
        """Store the chunks under `key`; returns the size written."""

    @abstractmethod
    def read(self, key: str) -> AsyncIterator[bytes]: ...

    @abstractmethod
    async def delete(self, key: str) -> None: ...


class LocalFileStorage(FileStorage):
    def __init__(self, root: str | Path) -> None:
        self._root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self._root / key).resolve()
        if self._root.resolve() not in path.parents:
            raise ValueError("storage key outside the storage directory")
        return path

    def new_key(self, suffix: str) -> str:
        return f"{secrets.token_hex(2)}/{secrets.token_urlsafe(16)}{suffix}"

    async def write(self, key: str, chunks: AsyncIterator[bytes]) -> int:
        path = self._path(key)
        await anyio.Path(path.parent).mkdir(parents=True, exist_ok=True)
        size = 0
        async with await anyio.open_file(path, "wb") as file:
            async for chunk in chunks:
                await file.write(chunk)
                size += len(chunk)
        return size

    async def read(self, key: str) -> AsyncIterator[bytes]:
        async with await anyio.open_file(self._path(key), "rb") as file:
            while chunk := await file.read(CHUNK):
                yield chunk

    async def delete(self, key: str) -> None:
        await anyio.Path(self._path(key)).unlink(missing_ok=True)
