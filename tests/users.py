"""Helpers for the auth tests: users of every role and signed-in clients."""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import Text, cast, delete, insert, or_
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.auth.models import AuditEntry, Role, User
from app.core.clock import utcnow
from app.core.mail import MemoryBackend
from app.core.outbox import OutboxMessage
from app.core.resources import Resources
from tests.factories import PASSWORD, UserFactory
from tests.factories.auth import password_hash

API = "/api/v1"


@dataclass
class Signed:
    user: User
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


async def login(
    client: httpx.AsyncClient, login_name: str, password: str = PASSWORD, **headers: str
) -> httpx.Response:
    return await client.post(
        f"{API}/auth/login", data={"username": login_name, "password": password}, headers=headers
    )


SignIn = Callable[..., Awaitable[Signed]]


@pytest.fixture
def sign_in(client: httpx.AsyncClient, db_session: AsyncSession) -> SignIn:
    async def create(role: Role = Role.USER, **fields: Any) -> Signed:
        user = await UserFactory.create_async(role=role.value, **fields)
        response = await login(client, user.username, fields.get("password", PASSWORD))
        assert response.status_code == 200, response.text
        body = response.json()
        return Signed(user, body["access_token"], body["refresh_token"])

    del db_session
    return create


CreateUser = Callable[..., Awaitable[User]]


@pytest.fixture
async def committed_users(engine: AsyncEngine) -> AsyncIterator[CreateUser]:
    """Users committed for real, for apps that run without the test's transaction (several apps,
    a real broker or rate limiter); deleted afterwards with the outbox rows and audit entries that
    name them."""
    names: list[str] = []
    ids: list[int] = []

    async def create(role: Role = Role.USER, **fields: Any) -> User:
        name = f"c{uuid.uuid4().hex[:12]}"
        row = {
            "email": f"{name}@example.com",
            "username": name,
            "role": role.value,
            "is_active": True,
            "email_verified_at": utcnow(),
            **fields,
        }
        async with engine.begin() as connection:
            inserted = await connection.execute(
                insert(User).values(**row, password_hash=password_hash()).returning(User.id)
            )
            user_id = int(inserted.scalar_one())
        names.append(name)
        ids.append(user_id)
        return User(id=user_id, **row)

    yield create
    if names:
        async with engine.begin() as connection:
            payload = cast(OutboxMessage.payload, Text)
            await connection.execute(delete(OutboxMessage).where(or_(*(payload.contains(n) for n in names))))
            await connection.execute(
                delete(AuditEntry).where(or_(AuditEntry.actor_id.in_(ids), AuditEntry.target_id.in_(ids)))
            )
            await connection.execute(delete(User).where(User.id.in_(ids)))


@pytest.fixture
def outbox_mail(resources: Resources) -> MemoryBackend:
    backend = resources.mail_backend
    assert isinstance(backend, MemoryBackend)
    return backend


def link_token(backend: MemoryBackend, recipient: str, path: str) -> str:
    """The token of the last link to `path` mailed to `recipient`."""
    for message in reversed(backend.sent):
        if message["To"] == recipient:
            text = message.get_body(("plain",)).get_content()
            marker = f"{path}?token="
            if marker in text:
                return str(text.split(marker, 1)[1].split(")", 1)[0].split()[0])
    raise AssertionError(f"no {path} link mailed to {recipient}")
