"""Helpers for the auth tests: users of every role and signed-in clients."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role, User
from app.core.mail import MemoryBackend
from app.core.resources import Resources
from tests.factories import PASSWORD, UserFactory

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


@pytest.fixture
def sign_in(client: httpx.AsyncClient, db_session: AsyncSession) -> Callable[..., Awaitable[Signed]]:
    async def create(role: Role = Role.USER, **fields: Any) -> Signed:
        user = await UserFactory.create_async(role=role.value, **fields)
        response = await login(client, user.username, fields.get("password", PASSWORD))
        assert response.status_code == 200, response.text
        body = response.json()
        return Signed(user, body["access_token"], body["refresh_token"])

    del db_session
    return create


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
