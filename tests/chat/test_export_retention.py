"""Exports do not pile up: one pending export per requester and room, finished ones purged with
their files after the retention period, and no partial file left by a failed or killed writer."""

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.chat import tasks
from app.chat.config import ChatConfig
from app.chat.models import ExportJob, Member, Room
from app.chat.schemas.payloads import PurgeExportsPayload
from app.chat.services.storage import LocalFileStorage
from app.core.config import AppConfig
from app.core.db import UnitOfWork
from app.core.platform import Platform
from app.core.resources import Resources
from tests.chat.exporting import EXPORTS, ROOMS, bulk_messages, make_room
from tests.conftest import app_settings
from tests.processes import api
from tests.users import CreateUser, SignIn, login


def files_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


async def test_one_pending_export_per_requester_and_room(
    client: httpx.AsyncClient, sign_in: SignIn, db_session: AsyncSession
) -> None:
    owner = await sign_in()
    room_id, other_room_id = await make_room(client, owner), await make_room(client, owner)
    pending = ExportJob(room_id=room_id, requested_by=owner.user.id, status="running")
    db_session.add(pending)
    await db_session.flush()

    refused = await client.post(f"{ROOMS}/{room_id}/exports", headers=owner.headers)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert (refused.json()["code"], refused.json()["job_id"]) == ("export_pending", pending.id)
    # Another room is another export.
    assert (await client.post(f"{ROOMS}/{other_room_id}/exports", headers=owner.headers)).status_code == 202

    # Two requests at once cannot both get past the check: the database refuses the second row.
    async with db_session.begin_nested():
        db_session.add(ExportJob(room_id=room_id, requested_by=owner.user.id))
        with pytest.raises(IntegrityError):
            await db_session.flush()

    pending.status = "done"
    await db_session.flush()
    assert (await client.post(f"{ROOMS}/{room_id}/exports", headers=owner.headers)).status_code == 202


async def test_finished_exports_expire_and_are_purged_with_their_files(
    client: httpx.AsyncClient, sign_in: SignIn, db_session: AsyncSession, resources: Resources
) -> None:
    owner = await sign_in()
    room_id = await make_room(client, owner)
    await bulk_messages(db_session, room_id, owner.user.id, 3)
    job_id = (await client.post(f"{ROOMS}/{room_id}/exports", headers=owner.headers)).json()["id"]
    status = (await client.get(f"{EXPORTS}/{job_id}", headers=owner.headers)).json()
    assert status["status"] == "done"
    job = await db_session.get(ExportJob, job_id)
    assert job is not None
    assert job.file_key is not None
    storage_dir = Path(app_settings(ChatConfig).STORAGE_DIR)
    export_file = storage_dir / job.file_key
    assert export_file.is_file()
    # What a writer killed mid-way leaves behind, as old as the export.
    stale_partial = export_file.with_name("killed.csv.part")
    stale_partial.write_text("id,author_id\n1,")

    retention = timedelta(seconds=app_settings(ChatConfig).EXPORT_RETENTION)
    expires_at = datetime.fromisoformat(status["expires_at"])
    assert expires_at - datetime.now(UTC) == pytest.approx(retention, abs=timedelta(minutes=1))
    # Time passes (the job's clock rather than the test's: access tokens would expire too).
    finished_at = datetime.now(UTC) - retention - timedelta(minutes=1)
    job.finished_at = finished_at
    await db_session.flush()
    os.utime(stale_partial, (finished_at.timestamp(), finished_at.timestamp()))

    # Expired is gone for the requester even before the purge has run.
    assert (await client.get(f"{EXPORTS}/{job_id}/download", headers=owner.headers)).status_code == 404
    async with UnitOfWork(resources.session_factory) as unit_of_work:
        result = await tasks.PurgeExports(Platform.build(resources, unit_of_work)).run(PurgeExportsPayload())
    assert result["jobs"] >= 1
    assert result["partial_files"] >= 1
    assert not export_file.exists()
    assert not stale_partial.exists()
    assert await db_session.scalar(select(func.count()).where(ExportJob.id == job_id)) == 0
    assert tasks.PurgeExports.schedule(resources.config) == [{"cron": "47 * * * *"}]


async def test_a_write_that_fails_half_way_leaves_no_file(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path)
    key = storage.new_key(".csv")

    async def chunks() -> AsyncIterator[bytes]:
        yield b"id,author_id,created_at,edited_at,body\n"
        raise OSError("database connection lost")

    with pytest.raises(OSError, match="connection lost"):
        await storage.write(key, chunks())
    assert files_under(tmp_path) == []


async def test_a_failed_export_task_leaves_no_file(
    client: httpx.AsyncClient,
    sign_in: SignIn,
    db_session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    owner = await sign_in()
    room_id = await make_room(client, owner)
    await bulk_messages(db_session, room_id, owner.user.id, 50)
    # Batches of 10 written to a directory of this test's own; the process dies at the third.
    monkeypatch.setattr(app_settings(ChatConfig), "EXPORT_BATCH", 10)
    monkeypatch.setattr(app_settings(ChatConfig), "STORAGE_DIR", str(tmp_path))
    report = tasks._report

    async def failing_report(*args: object, **values: object) -> None:
        if values.get("progress"):
            raise ConnectionError("worker lost its database")
        await report(*args, **values)  # type: ignore[arg-type]

    monkeypatch.setattr(tasks, "PROGRESS_EVERY", 20)
    monkeypatch.setattr(tasks, "_report", failing_report)
    accepted = await client.post(f"{ROOMS}/{room_id}/exports", headers=owner.headers)
    assert accepted.status_code == 202
    status = (await client.get(f"{EXPORTS}/{accepted.json()['id']}", headers=owner.headers)).json()
    assert status["status"] != "done"
    assert files_under(tmp_path) == []


async def test_a_request_that_loses_the_race_is_told_which_export_won(
    app_config: AppConfig, committed_users: CreateUser, engine: AsyncEngine
) -> None:
    """Another transaction inserts the pending job after this request checked for one and before
    it inserts its own: the database refuses the second row, and the 409 names the first."""
    owner = await committed_users()
    async with api(app_config) as (client, _):
        token = (await login(client, owner.username)).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        room_id = int((await client.post(ROOMS, json={"name": "raced"}, headers=headers)).json()["id"])
        try:
            async with engine.connect() as rival:
                await rival.begin()
                winner = await rival.scalar(
                    insert(ExportJob).values(room_id=room_id, requested_by=owner.id).returning(ExportJob.id)
                )
                # The request sees no pending job (not committed yet) and waits on the index...
                request = asyncio.create_task(client.post(f"{ROOMS}/{room_id}/exports", headers=headers))
                await asyncio.sleep(0.5)
                assert not request.done()
                await rival.commit()  # ...until the rival's row commits, and its own is refused.
            refused = await request
        finally:
            async with engine.begin() as connection:
                await connection.execute(delete(ExportJob).where(ExportJob.room_id == room_id))
                await connection.execute(delete(Member).where(Member.room_id == room_id))
                await connection.execute(delete(Room).where(Room.id == room_id))
    assert refused.status_code == 409
    assert (refused.json()["code"], refused.json()["job_id"]) == ("export_pending", winner)
