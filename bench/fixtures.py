"""Data the authenticated scenarios need: bench users in the database, and a signed-in token."""

import asyncio
import json
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import delete, insert

from app.auth.config import get_auth_config
from app.auth.models import User
from app.core.config import get_app_config
from app.core.db import create_engine

PREFIX = "bench-user-"
PASSWORD = "Bench-pass-word-1"  # noqa: S105 - a throwaway account created and removed by the bench
USERS = 200


@dataclass(frozen=True)
class AuthFixture:
    user_id: int
    token: str
    verify_seconds: float


def _hasher() -> PasswordHash:
    config = get_auth_config()
    return PasswordHash(
        (Argon2Hasher(config.ARGON2_TIME_COST, config.ARGON2_MEMORY_COST, config.ARGON2_PARALLELISM),)
    )


def verify_seconds(samples: int = 5) -> float:
    """One argon2id verification with the configured parameters, on this machine."""
    hasher = _hasher()
    hashed = hasher.hash(PASSWORD)
    started = time.perf_counter()
    for _ in range(samples):
        hasher.verify(PASSWORD, hashed)
    return (time.perf_counter() - started) / samples


async def _reset_users(create: bool) -> None:
    engine = create_engine(get_app_config())
    try:
        async with engine.begin() as connection:
            await connection.execute(delete(User).where(User.username.startswith(PREFIX)))
            if create:
                hashed = _hasher().hash(PASSWORD)  # one hash, shared: only the first user logs in
                await connection.execute(
                    insert(User),
                    [
                        {
                            "email": f"{PREFIX}{n}@example.com",
                            "username": f"{PREFIX}{n}",
                            "password_hash": hashed,
                            "role": "user",
                            "is_active": True,
                            "token_version": 0,
                        }
                        for n in range(USERS)
                    ],
                )
    finally:
        await engine.dispose()


def create_users() -> None:
    asyncio.run(_reset_users(create=True))


def remove_users() -> None:
    asyncio.run(_reset_users(create=False))


def sign_in(base_url: str) -> AuthFixture:
    body = urllib.parse.urlencode({"username": f"{PREFIX}0", "password": PASSWORD}).encode()
    request = urllib.request.Request(f"{base_url}/api/v1/auth/login", data=body, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - a loopback URL built here
        token = json.loads(response.read())["access_token"]
    me = urllib.request.Request(f"{base_url}/api/v1/profile", headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(me, timeout=10) as response:  # noqa: S310
        user_id = int(json.loads(response.read())["id"])
    return AuthFixture(user_id=user_id, token=token, verify_seconds=verify_seconds())
