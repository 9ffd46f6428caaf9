"""The SMTP server is down: the email is retried with backoff, dead-lettered with its payload, and
delivered once the server is back and the dead letters are requeued. Nothing is lost."""

import dataclasses
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from freezegun import freeze_time
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import AppConfig
from app.core.db import UnitOfWork
from app.core.mail.backends import SmtpBackend
from app.core.outbox import OutboxMessage, requeue_dead
from app.core.resources import Resources, pop_current, push_current
from tests.core.health.test_health import closed_port
from tests.core.queue.test_queue import relay
from tests.smtp import smtp_server

MAIL = "/api/v1/widgets/platform/mail"


@pytest.fixture
def smtp_port(resources: Resources) -> Iterator[int]:
    """Tasks in this process send through SMTP to this port, where nothing listens yet."""
    port = closed_port()
    config = resources.config.model_copy(
        update={"MAIL_BACKEND": "smtp", "MAIL_SMTP_HOST": "127.0.0.1", "MAIL_SMTP_PORT": port}
    )
    smtp_resources = dataclasses.replace(resources, mail_backend=SmtpBackend(config))
    push_current(smtp_resources)
    yield port
    pop_current(smtp_resources)


async def row(session: AsyncSession, outbox_id: int) -> OutboxMessage:
    message = await session.get(OutboxMessage, outbox_id, populate_existing=True)
    assert message is not None
    return message


async def test_smtp_down_retries_dead_letters_and_delivers_after_requeue(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    resources: Resources,
    app_config: AppConfig,
    smtp_port: int,
    tmp_path: Path,
) -> None:
    response = await client.post(MAIL, json={"name": "report", "email": "dana@example.com"})
    assert response.status_code == 202
    outbox_id = response.json()["outbox_id"]

    message = await row(db_session, outbox_id)
    assert (message.attempts, message.dead_at) == (1, None)
    assert message.last_error is not None
    assert "Connect" in message.last_error
    backoffs = [message.available_at - message.updated_at]

    moment = datetime.now(UTC)
    for attempt in range(2, app_config.QUEUE_MAX_ATTEMPTS + 1):
        moment += timedelta(hours=1)
        with freeze_time(moment):
            await relay(resources)
        message = await row(db_session, outbox_id)
        assert message.attempts == attempt
        if message.dead_at is None:
            backoffs.append(message.available_at - message.updated_at)
    assert message.dead_at is not None, "used up its attempts: dead-lettered"
    assert message.payload["email"]["email"]["recipient"] == "dana@example.com", "the payload is kept"
    assert all(later > earlier * 1.5 for earlier, later in itertools.pairwise(backoffs)), backoffs

    with smtp_server(tmp_path, port=smtp_port) as inbox:
        async with UnitOfWork(resources.session_factory) as unit_of_work:
            assert await requeue_dead(unit_of_work.session, ids=[outbox_id]) == 1
        await relay(resources)
        message = await row(db_session, outbox_id)
        assert message.completed_at is not None
        await relay(resources)  # nothing left to send: exactly one delivery
    assert [m["To"] for m in inbox.messages] == ["dana@example.com"]
    assert (message.attempts, message.dead_at) == (1, None)
