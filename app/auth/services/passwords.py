"""Password hashing: argon2id (pwdlib), computed off the event loop with bounded concurrency.

Each hash or verify costs ARGON2_MEMORY_COST and most of a core; running them in threads keeps
the loop responsive. HASHING_CONCURRENCY threads bound the hashes computed at once (CPU and
memory); turns, one more than threads, bound the logins past the queue, each holding a database
connection.
"""

import asyncio
import contextlib
import os
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.auth.config import AuthConfig

T = TypeVar("T")
# Hashing threads run at a lower CPU priority than the event loop: a burst of logins then uses the
# cores the loop leaves idle instead of delaying every other request (Linux sets nice per thread).
HASHING_NICENESS = 10


def _lower_thread_priority() -> None:
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or not permitted
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)


# Set while the current task holds a hashing slot, so nested hashing calls do not wait for another.
_holding_slot: ContextVar[bool] = ContextVar("holding_hashing_slot", default=False)

_COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"


class PasswordHasher:
    def __init__(self, config: AuthConfig) -> None:
        self._hash = PasswordHash(
            (
                Argon2Hasher(
                    time_cost=config.ARGON2_TIME_COST,
                    memory_cost=config.ARGON2_MEMORY_COST,
                    parallelism=config.ARGON2_PARALLELISM,
                ),
            )
        )
        self._concurrency = config.HASHING_CONCURRENCY
        self._semaphore: asyncio.Semaphore | None = None
        self._executor: ThreadPoolExecutor | None = None

    @property
    def turns(self) -> int:
        """How many callers may hold a turn at once: one more than hashing threads. A login
        holds its turn while it looks its account up, a database round trip before its hash:
        with no more turns than threads, a thread waited for that round trip; with one more,
        a login looks its account up while the threads hash for others, and waits for a thread
        (one more database connection held) rather than a thread for it."""
        return self._concurrency + 1

    @property
    def _slots(self) -> asyncio.Semaphore:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.turns)
        return self._semaphore

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Wait for a turn and keep it. A login takes its turn before it looks the account up, so
        the logins queued behind the limit hold no database connection meanwhile."""
        if _holding_slot.get():
            yield
            return
        async with self._slots:
            marker = _holding_slot.set(True)
            try:
                yield
            finally:
                _holding_slot.reset(marker)

    async def _in_thread(self, function: Callable[..., T], *args: str) -> T:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                self._concurrency, thread_name_prefix="password-hashing", initializer=_lower_thread_priority
            )
        async with self.turn():
            return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    @cached_property
    def _dummy_hash(self) -> str:
        return self._hash.hash("not a real password, only here to spend the same time")

    async def hash(self, password: str) -> str:
        return await self._in_thread(self._hash.hash, password)

    async def verify(self, password: str, password_hash: str) -> tuple[bool, str | None]:
        """(valid, new hash if the stored one uses outdated parameters)."""
        return await self._in_thread(self._hash.verify_and_update, password, password_hash)

    async def verify_nothing(self, password: str) -> None:
        """Spend a verification's time when there is no user, so timing reveals no account."""
        dummy = self._dummy_hash
        await self._in_thread(self._hash.verify, password, dummy)


def _load_common_passwords() -> frozenset[str]:
    lines = _COMMON_PASSWORDS_FILE.read_text().splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


COMMON_PASSWORDS = _load_common_passwords()


def password_problem(password: str, *, username: str | None = None, email: str | None = None) -> str | None:
    """Why `password` is unacceptable beyond its length, or None."""
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS:
        return "This password is too common."
    if username and lowered == username.lower():
        return "The password must differ from the username."
    if email and lowered in (email.lower(), email.split("@")[0].lower()):
        return "The password must differ from the email address."
    return None
