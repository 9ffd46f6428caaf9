"""@mentions: resolved through AuthGateway, one email per mentioned active user."""

from collections.abc import Awaitable, Callable

import httpx

from app.chat.services.mentions import mentioned_usernames
from app.core.mail import MemoryBackend
from tests.factories import UserFactory
from tests.users import API, Signed

SignIn = Callable[..., Awaitable[Signed]]


def test_mention_parsing() -> None:
    assert mentioned_usernames("hi @Ann and @bob.smith, cc @ann; not mail@example.com") == [
        "ann",
        "bob.smith",
    ]
    assert mentioned_usernames("no mentions @x") == []


async def test_mentioned_users_get_an_email(
    client: httpx.AsyncClient, sign_in: SignIn, outbox_mail: MemoryBackend
) -> None:
    author = await sign_in(username="writer")
    await UserFactory.create_async(username="reader", email="reader@example.com")
    await UserFactory.create_async(username="sleeper", email="sleeper@example.com", is_active=False)
    room_id = (await client.post(f"{API}/chat/rooms", json={"name": "lobby"}, headers=author.headers)).json()[
        "id"
    ]
    body = "@reader look, and @sleeper and @nobody and @writer"
    posted = await client.post(
        f"{API}/chat/rooms/{room_id}/messages", json={"body": body}, headers=author.headers
    )
    assert posted.status_code == 201
    assert [message["To"] for message in outbox_mail.sent] == ["reader@example.com"]
    [email] = outbox_mail.sent
    assert email["Subject"] == "writer mentioned you in lobby"
    assert "@reader look" in email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
