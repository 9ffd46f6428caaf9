"""A room name cannot break an email, and an export whose task gives up is marked failed instead of
running forever."""

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.chat import tasks
from app.chat.config import ChatConfig
from app.chat.models import ExportJob, Room
from app.core.mail import MemoryBackend
from app.core.outbox import OutboxMessage
from app.core.queue.runner import run_task
from app.core.resources import Resources
from tests.chat.exporting import EXPORTS, ROOMS, bulk_messages, make_room
from tests.conftest import app_settings
from tests.users import SignIn

LINE_BREAKING_NAME = "Team\r\nBcc: victim@example.com"


@pytest.mark.parametrize("name", [LINE_BREAKING_NAME, "line\nbreak", "tab\there", "sep\u2028arator"])
async def test_room_names_with_control_characters_are_422(
    client: httpx.AsyncClient, sign_in: SignIn, name: str
) -> None:
    owner = await sign_in()
    response = await client.post(ROOMS, json={"name": name}, headers=owner.headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_room_named_with_line_breaks_still_gets_its_emails(
    client: httpx.AsyncClient, sign_in: SignIn, db_session: AsyncSession, outbox_mail: MemoryBackend
) -> None:
    owner, reader = await sign_in(), await sign_in()
    room_id = await make_room(client, owner)
    assert (await client.post(f"{ROOMS}/{room_id}/join", headers=reader.headers)).status_code == 204
    # A name stored before names were checked.
    await db_session.execute(update(Room).where(Room.id == room_id).values(name=LINE_BREAKING_NAME))
    await bulk_messages(db_session, room_id, owner.user.id, 3)

    job = (await client.post(f"{ROOMS}/{room_id}/exports", headers=owner.headers)).json()
    status = (await client.get(f"{EXPORTS}/{job['id']}", headers=owner.headers)).json()
    assert status["status"] == "done"
    mention = {"body": f"@{reader.user.username} have a look"}
    assert (
        await client.post(f"{ROOMS}/{room_id}/messages", json=mention, headers=owner.headers)
    ).status_code == 201

    subjects = {message["To"]: str(message["Subject"]) for message in outbox_mail.sent}
    assert subjects[owner.user.email] == "Export of Team Bcc: victim@example.com is ready"
    assert "mentioned you" in subjects[reader.user.email]
    assert not any(character in subjects[reader.user.email] for character in "\r\n")
    assert all(message["Bcc"] is None for message in outbox_mail.sent)


async def test_an_export_task_out_of_attempts_marks_its_job_failed(
    client: httpx.AsyncClient,
    sign_in: SignIn,
    db_session: AsyncSession,
    resources: Resources,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    owner = await sign_in()
    room_id = await make_room(client, owner)
    await bulk_messages(db_session, room_id, owner.user.id, 3)
    # Storage that cannot be written: a file where the directory should be.
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    monkeypatch.setattr(app_settings(ChatConfig), "STORAGE_DIR", str(blocked))

    job_id = (await client.post(f"{ROOMS}/{room_id}/exports", headers=owner.headers)).json()["id"]
    message = await db_session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.task_name == "chat.build_export",
            OutboxMessage.payload["job_id"].as_integer() == job_id,
        )
    )
    assert message is not None
    # The first attempt ran in the request; the others as the relay would hand them out.
    for _ in range(resources.config.QUEUE_MAX_ATTEMPTS - 1):
        with pytest.raises(OSError, match="not-a-directory"):
            await run_task(resources, tasks.BuildExport, message.id, {})
    db_session.expunge_all()
    dead = await db_session.get(OutboxMessage, message.id)
    assert dead is not None
    assert dead.dead_at is not None

    status = (await client.get(f"{EXPORTS}/{job_id}", headers=owner.headers)).json()
    assert status["status"] == "failed"
    job = await db_session.get(ExportJob, job_id)
    assert job is not None
    assert job.finished_at is not None
    # Failed is finished: the requester may ask again.
    assert (await client.post(f"{ROOMS}/{room_id}/exports", headers=owner.headers)).status_code == 202
