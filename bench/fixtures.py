"""Data the authenticated scenarios need: bench users in the database, and a signed-in token."""

import asyncio
import json
import os
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import delete, insert

from app.auth.config import AuthConfig
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
    hashing_capacity: float


def _hasher() -> PasswordHash:
    config = AuthConfig()
    return PasswordHash(
        (Argon2Hasher(config.ARGON2_TIME_COST, config.ARGON2_MEMORY_COST, config.ARGON2_PARALLELISM),)
    )


def hashing_capacity(seconds: float = 3.0) -> float:
    """Password verifications per second this machine sustains: one thread per core verifying
    back to back. Not cores / one verify's time: argon2id with parallelism > 1 already spreads a
    single verification over several cores (pwdlib's default is 4 lanes)."""
    hasher = _hasher()
    hashed = hasher.hash(PASSWORD)
    deadline = time.perf_counter() + seconds

    def verify_until_deadline() -> int:
        done = 0
        while time.perf_counter() < deadline:
            hasher.verify(PASSWORD, hashed)
            done += 1
        return done

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        total = sum(pool.map(lambda _: verify_until_deadline(), range(os.cpu_count() or 1)))
    return total / (time.perf_counter() - started)


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


def sign_in(base_url: str, *, measure_hashing: bool = True) -> AuthFixture:
    """The first bench user's access token and id; `measure_hashing`: also this machine's
    hashing capacity (3 s), which the login benchmark compares with."""
    body = urllib.parse.urlencode({"username": f"{PREFIX}0", "password": PASSWORD}).encode()
    request = urllib.request.Request(f"{base_url}/api/v1/auth/login", data=body, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - a loopback URL built here
        token = json.loads(response.read())["access_token"]
    me = urllib.request.Request(f"{base_url}/api/v1/profile", headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(me, timeout=10) as response:  # noqa: S310
        user_id = int(json.loads(response.read())["id"])
    capacity = hashing_capacity() if measure_hashing else float("nan")
    return AuthFixture(user_id=user_id, token=token, hashing_capacity=capacity)
