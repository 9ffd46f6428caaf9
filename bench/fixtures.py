"""Data the authenticated scenarios need: bench users in the database, and a signed-in token."""

import asyncio
import json
import urllib.parse
import urllib.request
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


def password_hash(config: AuthConfig) -> PasswordHash:
    """pwdlib's argon2id with the parameters of `config`, as the app's hasher builds it."""
    return PasswordHash(
        (Argon2Hasher(config.ARGON2_TIME_COST, config.ARGON2_MEMORY_COST, config.ARGON2_PARALLELISM),)
    )


async def _reset_users(create: bool) -> None:
    engine = create_engine(get_app_config())
    try:
        async with engine.begin() as connection:
            await connection.execute(delete(User).where(User.username.startswith(PREFIX)))
            if create:
                # One hash, shared: only the first user logs in.
                hashed = password_hash(AuthConfig()).hash(PASSWORD)
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
    """The first bench user's access token and id."""
    body = urllib.parse.urlencode({"username": f"{PREFIX}0", "password": PASSWORD}).encode()
    request = urllib.request.Request(f"{base_url}/api/v1/auth/login", data=body, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - a loopback URL built here
        token = json.loads(response.read())["access_token"]
    me = urllib.request.Request(f"{base_url}/api/v1/profile", headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(me, timeout=10) as response:  # noqa: S310
        user_id = int(json.loads(response.read())["id"])
    return AuthFixture(user_id=user_id, token=token)
