"""The export job end to end: a real worker process builds the file and the email reaches a real
SMTP server; the status endpoint reports 100%."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import User
from app.chat.models import Room
from app.core.config import AppConfig
from tests.processes import api, eventually, worker, worker_env
from tests.smtp import smtp_server

pytestmark = pytest.mark.slow
PASSWORD = "Export-pass-word-1"


@pytest.fixture
async def name(engine: AsyncEngine) -> AsyncIterator[str]:
    value = f"exp{uuid.uuid4().hex[:8]}"
    yield value
    async with engine.begin() as connection:
        await connection.execute(delete(Room).where(Room.name == value))
        await connection.execute(delete(User).where(User.username == value))


async def test_export_job_completes_in_a_worker_and_mails_the_link(
    app_config: AppConfig, name: str, tmp_path: Path
) -> None:
    with smtp_server(tmp_path) as inbox:
        smtp = {"MAIL_BACKEND": "smtp", "MAIL_SMTP_HOST": "127.0.0.1", "MAIL_SMTP_PORT": str(inbox.port)}
        config = app_config.model_copy(update={"QUEUE_BROKER": "redis", "QUEUE_NAME": f"tasks-{name}"})
        with worker(worker_env(config, **smtp)):
            async with api(config) as (client, _):
                user = {"email": f"{name}@example.com", "username": name, "password": PASSWORD}
                assert (await client.post("/api/v1/auth/register", json=user)).status_code == 201
                token = (
                    await client.post("/api/v1/auth/login", data={"username": name, "password": PASSWORD})
                ).json()
                headers = {"Authorization": f"Bearer {token['access_token']}"}
                room_id = (
                    await client.post("/api/v1/chat/rooms", json={"name": name}, headers=headers)
                ).json()["id"]
                for n in range(3):
                    await client.post(
                        f"/api/v1/chat/rooms/{room_id}/messages", json={"body": f"m{n}"}, headers=headers
                    )
                job = (await client.post(f"/api/v1/chat/rooms/{room_id}/exports", headers=headers)).json()
                assert job["status"] == "pending"

                async def finished() -> dict[str, object] | None:
                    status = (await client.get(f"/api/v1/chat/exports/{job['id']}", headers=headers)).json()
                    return status if status["status"] == "done" else None

                status = await eventually(finished)
                assert status["progress"] == 100
                download = await client.get(str(status["download_url"]), headers=headers)
                assert len(download.text.splitlines()) == 4

                async def exported_mail() -> bool:
                    return any("Export of" in str(message["Subject"]) for message in inbox.messages)

                await eventually(exported_mail)
    [email] = [message for message in inbox.messages if "Export of" in str(message["Subject"])]
    assert email["To"] == f"{name}@example.com"
