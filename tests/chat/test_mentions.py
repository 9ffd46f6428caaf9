"""@mentions: the room's members with verified addresses get one email each, within limits per
sender and per recipient; the subject is fixed and the author's words are quoted as theirs."""

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.chat.config import ChatConfig
from app.chat.models import Member
from app.chat.services.mentions import mentioned_usernames
from app.core.mail import MemoryBackend
from tests.chat.uploads import override_chat_config
from tests.factories import UserFactory
from tests.users import API, Signed, SignIn

# As long as a room name may be: only its start is shown, and only in the body.
PHISHING_ROOM = "Your account is locked - act now " + "!" * 67


def test_mention_parsing() -> None:
    assert mentioned_usernames("hi @Ann and @bob.smith, cc @ann; not mail@example.com") == [
        "ann",
        "bob.smith",
    ]
    assert mentioned_usernames("no mentions @x") == []


@pytest.fixture
def mention_limits(app: FastAPI) -> Iterator[ChatConfig]:
    """3 mention emails per sender, 2 per recipient, in a window far longer than the test."""
    yield from override_chat_config(
        app,
        MENTION_EMAILS_PER_SENDER=3,
        MENTION_EMAILS_PER_RECIPIENT=2,
        MENTION_EMAIL_WINDOW=10**9,
    )


async def new_room(client: httpx.AsyncClient, owner: Signed, name: str = "lobby") -> int:
    response = await client.post(f"{API}/chat/rooms", json={"name": name}, headers=owner.headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def members(db_session: AsyncSession, room_id: int, *users: User) -> None:
    db_session.add_all(Member(room_id=room_id, user_id=user.id) for user in users)
    await db_session.flush()


async def post(client: httpx.AsyncClient, room_id: int, author: Signed, body: str) -> None:
    posted = await client.post(
        f"{API}/chat/rooms/{room_id}/messages", json={"body": body}, headers=author.headers
    )
    assert posted.status_code == 201, posted.text


async def test_only_members_with_verified_addresses_are_mailed(
    client: httpx.AsyncClient, sign_in: SignIn, outbox_mail: MemoryBackend, db_session: AsyncSession
) -> None:
    author = await sign_in(username="writer")
    reader = await UserFactory.create_async(username="reader")
    unverified = await UserFactory.create_async(username="unproven", email_verified_at=None)
    sleeper = await UserFactory.create_async(username="sleeper", is_active=False)
    await UserFactory.create_async(username="outsider")  # verified, not in the room
    room_id = await new_room(client, author, PHISHING_ROOM)
    await members(db_session, room_id, reader, unverified, sleeper)
    body = "@reader @unproven @sleeper @outsider @nobody @writer\nClick http://evil.example to unlock"
    await post(client, room_id, author, body)
    assert [message["To"] for message in outbox_mail.sent] == ["reader@example.com"]
    [email] = outbox_mail.sent
    # Fixed apart from the author's username: nothing the author typed reaches the subject.
    assert email["Subject"] == "@writer mentioned you in a chat room"
    text = email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f'room "{PHISHING_ROOM[:59]}…"' in text
    assert "> @reader @unproven" in text
    assert "> Click http://evil.example to unlock" in text
    assert "The quoted words are @writer's" in text


async def test_mention_emails_are_limited_per_sender_and_per_recipient(
    client: httpx.AsyncClient,
    sign_in: SignIn,
    outbox_mail: MemoryBackend,
    db_session: AsyncSession,
    mention_limits: None,
) -> None:
    first, second = await sign_in(username="first"), await sign_in(username="second")
    readers = [await UserFactory.create_async(username=f"reader{n}") for n in range(4)]
    room_id = await new_room(client, first)
    await members(db_session, room_id, second.user, *readers)

    await post(client, room_id, first, "@reader0 @reader1")
    await post(client, room_id, first, "@reader0 @reader2 @reader3")  # `first` reaches its limit at reader0
    await post(client, room_id, second, "@reader0 @reader2")  # reader0 has had their 2
    await post(client, room_id, second, "@reader0 @reader3")

    sent = [(message["Subject"].split()[0], message["To"].split("@")[0]) for message in outbox_mail.sent]
    assert sent == [
        ("@first", "reader0"),
        ("@first", "reader1"),
        ("@first", "reader0"),
        # A mail refused for its recipient does not count against its sender: `second` gets both.
        ("@second", "reader2"),
        ("@second", "reader3"),
    ]
