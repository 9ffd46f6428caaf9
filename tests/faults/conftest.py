"""A committed account for the fault tests, which run the API with real transactions."""

import uuid
from collections.abc import AsyncIterator

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import Text, cast, delete, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.config import AuthConfig
from app.auth.models import User
from app.chat.models import Room
from app.core.outbox import OutboxMessage

PASSWORD = "Fault-test-pass-1"


@pytest.fixture
async def account(engine: AsyncEngine) -> AsyncIterator[User]:
    auth = AuthConfig()
    hasher = Argon2Hasher(auth.ARGON2_TIME_COST, auth.ARGON2_MEMORY_COST, auth.ARGON2_PARALLELISM)
    name = f"fault-{uuid.uuid4().hex[:10]}"
    row = {"email": f"{name}@example.com", "username": name, "role": "user", "is_active": True}
    async with engine.begin() as connection:
        user_id = await connection.scalar(
            insert(User)
            .values(**row, password_hash=PasswordHash((hasher,)).hash(PASSWORD))
            .returning(User.id)
        )
    yield User(id=user_id, **row)
    async with engine.begin() as connection:
        await connection.execute(delete(Room).where(Room.owner_id == user_id))
        await connection.execute(
            delete(OutboxMessage).where(cast(OutboxMessage.payload, Text).contains(name))
        )
        await connection.execute(delete(User).where(User.id == user_id))
