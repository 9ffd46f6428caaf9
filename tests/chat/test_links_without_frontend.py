"""Without a front end (FRONTEND_URL unset) the chat's email links lead to the API's own routes,
which answer the recipient's bearer token: the export to its download, a mention to the room's
messages."""

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import AppConfig
from app.core.mail import MemoryBackend
from app.core.settings.links import DEVELOPMENT_API_URL
from tests.chat.exporting import ROOMS, bulk_messages, make_room
from tests.chat.test_mentions import members, post
from tests.factories import UserFactory
from tests.users import API, SignIn, login


@pytest.fixture(autouse=True)
def no_frontend(app_config: AppConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_config, "FRONTEND_URL", None)


def link_in(backend: MemoryBackend, recipient: str) -> str:
    [email] = [message for message in backend.sent if message["To"] == recipient]
    text = email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    [link] = [word.strip("()") for word in text.split() if word.startswith(("http://", "(http://"))]
    assert link.startswith(DEVELOPMENT_API_URL + API)
    return str(link).removeprefix(DEVELOPMENT_API_URL)


async def test_export_email_links_to_the_download(
    client: httpx.AsyncClient, sign_in: SignIn, db_session: AsyncSession, outbox_mail: MemoryBackend
) -> None:
    owner = await sign_in()
    room_id = await make_room(client, owner)
    await bulk_messages(db_session, room_id, owner.user.id, 3)
    job_id = (await client.post(f"{ROOMS}/{room_id}/exports", headers=owner.headers)).json()["id"]
    path = link_in(outbox_mail, owner.user.email)
    assert path == f"{API}/chat/exports/{job_id}/download"
    download = await client.get(path, headers=owner.headers)
    assert download.status_code == 200
    assert len(download.text.splitlines()) == 4


async def test_mention_email_links_to_the_rooms_messages(
    client: httpx.AsyncClient, sign_in: SignIn, db_session: AsyncSession, outbox_mail: MemoryBackend
) -> None:
    author = await sign_in(username="writer")
    reader = await UserFactory.create_async(username="reader")
    room_id = await make_room(client, author)
    await members(db_session, room_id, reader)
    await post(client, room_id, author, "hello @reader")
    path = link_in(outbox_mail, reader.email)
    assert path == f"{API}/chat/rooms/{room_id}/messages"
    token = (await login(client, "reader")).json()["access_token"]
    listed = await client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200
    assert [message["body"] for message in listed.json()["items"]] == ["hello @reader"]
