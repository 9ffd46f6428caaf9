"""Room exports: streamed CSV with flat memory, and the background job with progress and email."""

import csv
import io
import tracemalloc
from datetime import datetime

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.chat import tasks
from app.chat.config import ChatConfig
from app.chat.services.csv_chunks import csv_chunks
from app.core.mail import MemoryBackend
from tests.chat.exporting import ROOMS, bulk_messages, make_room, room_with_messages
from tests.conftest import app_settings
from tests.users import API, SignIn


async def test_csv_export_streams_through_the_api(
    client: httpx.AsyncClient, sign_in: SignIn, db_session: AsyncSession
) -> None:
    owner, outsider = await sign_in(), await sign_in()
    room_id = await make_room(client, owner)
    await bulk_messages(db_session, room_id, owner.user.id, 25)
    assert (await client.get(f"{ROOMS}/{room_id}/export.csv", headers=outsider.headers)).status_code == 403
    response = await client.get(f"{ROOMS}/{room_id}/export.csv", headers=owner.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["id", "author_id", "created_at", "edited_at", "body"]
    assert len(rows) == 26
    assert rows[1][4] == 'message number 1, with "quotes"'


async def test_chunks_hold_whole_records_and_count_them(
    client: httpx.AsyncClient,
    sign_in: SignIn,
    db_session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    _, room_id = await room_with_messages(client, sign_in, db_session, 25)
    chunks = [chunk async for chunk in csv_chunks(session_factory, room_id, batch=10)]
    # Each chunk parses on its own: the header, then fetches of 10, 10 and 5 messages.
    parsed = [list(csv.reader(io.StringIO(chunk.text))) for chunk in chunks]
    assert [len(records) for records in parsed] == [chunk.messages or 1 for chunk in chunks] == [1, 10, 10, 5]
    assert [record[4] for records in parsed[1:] for record in records] == [
        f'message number {n}, with "quotes"' for n in range(1, 26)
    ]


async def test_100k_messages_stream_with_bounded_memory(
    client: httpx.AsyncClient,
    sign_in: SignIn,
    db_session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    _, room_id = await room_with_messages(client, sign_in, db_session, 100_000)
    messages, size = 0, 0
    tracemalloc.start()
    try:
        async for chunk in csv_chunks(session_factory, room_id, batch=1000):
            messages += chunk.messages
            size += len(chunk.text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert messages == 100_000
    # The CSV is several megabytes; what is held at once is a batch of rows.
    assert size > 5_000_000
    assert peak < size / 5, (peak, size)


async def test_export_job_reports_progress_and_emails_a_link(
    client: httpx.AsyncClient, sign_in: SignIn, db_session: AsyncSession, outbox_mail: MemoryBackend
) -> None:
    owner, other = await sign_in(), await sign_in()
    room_id = await make_room(client, owner)
    await bulk_messages(db_session, room_id, owner.user.id, 2500)
    accepted = await client.post(f"{ROOMS}/{room_id}/exports", headers=owner.headers)
    assert accepted.status_code == 202
    job_id = accepted.json()["id"]
    # The in-memory broker ran the task already; a real worker gets there a moment later.
    status = (await client.get(f"{API}/chat/exports/{job_id}", headers=owner.headers)).json()
    assert (status["status"], status["progress"]) == ("done", 100)
    assert (await client.get(f"{API}/chat/exports/{job_id}", headers=other.headers)).status_code == 404
    download = await client.get(status["download_url"], headers=owner.headers)
    assert download.status_code == 200
    assert len(download.text.splitlines()) == 2501
    [email] = [m for m in outbox_mail.sent if m["To"] == owner.user.email]
    assert "2500 messages" in email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"https://app.example/chat/exports/{job_id}" in email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    expires_at = datetime.fromisoformat(status["expires_at"])
    assert f"deleted at {expires_at:%Y-%m-%d %H:%M} UTC" in email.get_body(("plain",)).get_content()  # type: ignore[union-attr]


async def test_export_progress_is_reported_per_thousand_messages_whatever_the_batch(
    client: httpx.AsyncClient, sign_in: SignIn, db_session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner, room_id = await room_with_messages(client, sign_in, db_session, 2500)
    monkeypatch.setattr(app_settings(ChatConfig), "EXPORT_BATCH", 300)
    reported: list[object] = []
    report = tasks._report

    async def recording(*args: object, **values: object) -> None:
        reported.append(values["progress"])
        await report(*args, **values)  # type: ignore[arg-type]

    monkeypatch.setattr(tasks, "_report", recording)
    accepted = await client.post(f"{ROOMS}/{room_id}/exports", headers=owner.headers)
    assert accepted.status_code == 202
    # Fetches of 300: the 1,000th message is in the 4th (1,200 written), the 2,000th in the 7th.
    assert reported == [0, 1200 * 100 // 2500, 2100 * 100 // 2500]
    job = (await client.get(f"{API}/chat/exports/{accepted.json()['id']}", headers=owner.headers)).json()
    assert (job["status"], job["progress"]) == ("done", 100)
