"""Password hashing: argon2id (pwdlib), computed off the event loop with bounded concurrency.

Each hash or verify costs ARGON2_MEMORY_COST and most of a core; running them in threads keeps
the loop responsive, and the semaphore keeps a burst of logins from exhausting CPU and memory.
"""

import asyncio
from functools import cached_property
from pathlib import Path

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.auth.config import AuthConfig

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

    @property
    def _slots(self) -> asyncio.Semaphore:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self._concurrency)
        return self._semaphore

    @cached_property
    def _dummy_hash(self) -> str:
        return self._hash.hash("not a real password, only here to spend the same time")

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._hash.hash, password)

    async def verify(self, password: str, password_hash: str) -> tuple[bool, str | None]:
        """(valid, new hash if the stored one uses outdated parameters)."""
        async with self._slots:
            return await asyncio.to_thread(self._hash.verify_and_update, password, password_hash)

    async def verify_nothing(self, password: str) -> None:
        """Spend a verification's time when there is no user, so timing reveals no account."""
        dummy = self._dummy_hash
        async with self._slots:
            await asyncio.to_thread(self._hash.verify, password, dummy)


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
