"""Registration to inbox with real processes: the API commits the user and, in the same
transaction, the verification email's outbox row; a separately started worker sends it to a
real SMTP server, retrying while the server refuses."""

import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import Text, cast, delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.auth.models import User
from app.core.config import AppConfig
from app.core.mail.service import SendEmailPayload
from app.core.outbox import OutboxMessage
from tests.core.queue.test_queue import relay
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


async def _outbox_rows(engine: AsyncEngine, username: str) -> list[OutboxMessage]:
    async with AsyncSession(engine) as session:
        rows = await session.scalars(
            select(OutboxMessage).where(cast(OutboxMessage.payload, Text).contains(username))
        )
        return list(rows)


async def test_registration_email_is_retried_while_the_server_refuses_and_arrives_once(
    app_config: AppConfig, engine: AsyncEngine, username: str, tmp_path: Path
) -> None:
    email = f"{username}@example.com"
    with smtp_server(tmp_path, refuse_first=2, refuse_to=email) as inbox:
        smtp = {"MAIL_BACKEND": "smtp", "MAIL_SMTP_HOST": "127.0.0.1", "MAIL_SMTP_PORT": str(inbox.port)}
        retries = {"QUEUE_MAX_ATTEMPTS": "5", "QUEUE_RETRY_BASE_DELAY": "0.1", "QUEUE_RETRY_MAX_DELAY": "0.2"}
        config = app_config.model_copy(
            update={"QUEUE_BROKER": "redis", "QUEUE_NAME": f"tasks-{username}", "QUEUE_IDLE_TIMEOUT_MS": 2000}
        )

        async def sent() -> list[OutboxMessage] | None:
            await relay(resources)  # as the scheduler does: publish the retries whose backoff passed
            rows = await _outbox_rows(engine, username)
            return rows if rows and all(row.completed_at is not None for row in rows) else None

        with worker(worker_env(config, **smtp, **retries)):
            async with api(config) as (client, resources):
                response = await client.post(
                    f"{API}/auth/register",
                    json={"email": email, "username": username, "password": "Delivered-pass-1"},
                )
                assert response.status_code == 201
                rows = await eventually(sent)
    # One outbox row, the email itself (no event the module sends to itself), sent on its third
    # attempt: the server refused the first two.
    [row] = rows
    assert (row.task_name, row.attempts, row.dead_at) == (SendEmailPayload.task_name(), 3, None)
    assert inbox.refused == 2
    [message] = [message for message in inbox.messages if message["To"] == email]  # exactly once
    assert "Confirm your email" in message["Subject"]
