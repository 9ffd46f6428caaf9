"""Helpers for the export tests: rooms, messages written in bulk, CSV parsing."""

import csv
import io

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.users import API, Signed, SignIn

ROOMS = f"{API}/chat/rooms"
EXPORTS = f"{API}/chat/exports"


async def make_room(client: httpx.AsyncClient, owner: Signed, name: str = "exported") -> int:
    return int((await client.post(ROOMS, json={"name": name}, headers=owner.headers)).json()["id"])


async def bulk_messages(session: AsyncSession, room_id: int, author_id: int, count: int) -> None:
    await session.execute(
        text(
            "INSERT INTO chat_message (room_id, author_id, body, created_at, updated_at) "
            "SELECT :room, :author, 'message number ' || n || ', with \"quotes\"', now(), now() "
            "FROM generate_series(1, :count) AS n"
        ),
        {"room": room_id, "author": author_id, "count": count},
    )


async def messages_with_bodies(
    session: AsyncSession, room_id: int, author_id: int, bodies: list[str]
) -> None:
    """Stored as they are, as earlier versions or other clients may have stored them."""
    for body in bodies:
        await session.execute(
            text(
                "INSERT INTO chat_message (room_id, author_id, body, created_at, updated_at) "
                "VALUES (:room, :author, :body, now(), now())"
            ),
            {"room": room_id, "author": author_id, "body": body},
        )


async def room_with_messages(
    client: httpx.AsyncClient, sign_in: SignIn, session: AsyncSession, count: int
) -> tuple[Signed, int]:
    """A new owner and their room holding `count` messages."""
    owner = await sign_in()
    room_id = await make_room(client, owner)
    await bulk_messages(session, room_id, owner.user.id, count)
    return owner, room_id


def csv_rows(content: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content, newline="")))
