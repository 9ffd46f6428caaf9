"""Where the chat module keeps files: a small interface, a local-directory implementation.

Swap in object storage by implementing FileStorage; keys are opaque, generated here, never taken
from user input.
"""

import secrets
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import anyio
import anyio.to_thread

CHUNK = 64 * 1024
# A file being written carries this suffix until it is complete: a reader never finds a key that
# names half a file, and a writer killed mid-way leaves only a name the sweep recognizes.
PARTIAL_SUFFIX = ".part"


class FileStorage(ABC):
    @abstractmethod
    def new_key(self, suffix: str) -> str: ...

    @abstractmethod
    async def write(self, key: str, chunks: AsyncIterator[bytes]) -> int:
        """Store the chunks under `key`, all or nothing: on failure nothing is left under `key` nor
        beside it. Returns the size written."""

    @abstractmethod
    def read(self, key: str) -> AsyncIterator[bytes]: ...

    @abstractmethod
    async def delete(self, key: str) -> None: ...

    @abstractmethod
    async def sweep_partial(self, before: datetime) -> int:
        """Delete what writers killed mid-write left behind (untouched since `before`); returns how many."""


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
        partial = anyio.Path(path.with_name(path.name + PARTIAL_SUFFIX))
        await partial.parent.mkdir(parents=True, exist_ok=True)
        size = 0
        try:
            async with await anyio.open_file(partial, "wb") as file:
                async for chunk in chunks:
                    await file.write(chunk)
                    size += len(chunk)
            # Atomic within one file system: the key names either nothing or the whole file.
            await partial.replace(path)
        except BaseException:
            # Cancellation included (a client gone, a worker stopping): shielded, or the
            # cancellation would stop the clean-up too.
            with anyio.CancelScope(shield=True):
                await partial.unlink(missing_ok=True)
            raise
        return size

    async def read(self, key: str) -> AsyncIterator[bytes]:
        async with await anyio.open_file(self._path(key), "rb") as file:
            while chunk := await file.read(CHUNK):
                yield chunk

    async def delete(self, key: str) -> None:
        await anyio.Path(self._path(key)).unlink(missing_ok=True)

    async def sweep_partial(self, before: datetime) -> int:
        return await anyio.to_thread.run_sync(self._sweep_partial, before.timestamp())

    def _sweep_partial(self, before: float) -> int:
        if not self._root.is_dir():
            return 0
        removed = 0
        for path in self._root.glob(f"*/*{PARTIAL_SUFFIX}"):
            try:
                if path.stat().st_mtime < before:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:  # finished or swept by another process meanwhile
                continue
        return removed
