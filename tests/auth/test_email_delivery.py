"""Registration to inbox with real processes: the API commits the user and a durable event; a
separately started worker runs the listener, which queues the verification email, and sends it
to a real SMTP server."""

import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import Text, cast, delete
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import User
from app.core.config import AppConfig
from app.core.outbox import OutboxMessage
from tests.processes import api, eventually, worker, worker_env
from tests.smtp import smtp_server
from tests.users import API

pytestmark = pytest.mark.slow


@pytest.fixture
async def username(engine: AsyncEngine) -> AsyncIterator[str]:
    name = f"mail{uuid.uuid4().hex[:10]}"
    yield name
    async with engine.begin() as connection:
        await connection.execute(
            delete(OutboxMessage).where(cast(OutboxMessage.payload, Text).contains(name))
        )
        await connection.execute(delete(User).where(User.username == name))


async def test_registration_email_arrives_through_the_worker(
    app_config: AppConfig, username: str, tmp_path: Path
) -> None:
    email = f"{username}@example.com"
    with smtp_server(tmp_path) as inbox:
        smtp = {"MAIL_BACKEND": "smtp", "MAIL_SMTP_HOST": "127.0.0.1", "MAIL_SMTP_PORT": str(inbox.port)}
        config = app_config.model_copy(
            update={"QUEUE_BROKER": "redis", "QUEUE_NAME": f"tasks-{username}", "QUEUE_IDLE_TIMEOUT_MS": 2000}
        )
        with worker(worker_env(config, **smtp)):
            async with api(config) as (client, _):
                response = await client.post(
                    f"{API}/auth/register",
                    json={"email": email, "username": username, "password": "Delivered-pass-1"},
                )
                assert response.status_code == 201
                await eventually(lambda: _arrived(inbox.messages))
    [message] = inbox.messages
    assert message["To"] == email
    assert "Confirm your email" in message["Subject"]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "https://app.example/verify-email?token=" in text


async def _arrived(messages: Sequence[object]) -> bool:
    return bool(messages)
