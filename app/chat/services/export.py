"""Room exports: streamed straight from the database as CSV (constant memory, any size), or built
into a file by a worker with progress the client can poll."""

import csv
import io
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.chat.models import Message

HEADER = ("id", "author_id", "created_at", "edited_at", "body")


@dataclass(frozen=True, slots=True)
class CsvChunk:
    """Complete CSV lines (a record never spans two chunks) and how many messages they hold."""

    text: str
    messages: int


def _csv(records: Iterable[tuple[object, ...]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(records)
    return buffer.getvalue()


async def count_messages(session: AsyncSession, room_id: int) -> int:
    statement = select(func.count()).select_from(Message).where(Message.room_id == room_id)
    return int(await session.scalar(statement) or 0)


async def csv_chunks(session: AsyncSession, room_id: int, batch: int) -> AsyncIterator[CsvChunk]:
    """The header, then the room's messages `batch` rows per chunk, fetched through a server-side
    cursor. A chunk per fetch rather than a line per row: every step of an async iteration over a
    SQLAlchemy result crosses into a greenlet and back, which cost more than the row's CSV."""
    yield CsvChunk(_csv([HEADER]), messages=0)
    statement = (
        select(Message.id, Message.author_id, Message.created_at, Message.edited_at, Message.body)
        .where(Message.room_id == room_id)
        .order_by(Message.id)
        .execution_options(yield_per=batch)
    )
    result = await session.stream(statement)
    async for rows in result.partitions():
        records = (
            (
                row.id,
                row.author_id or "",
                row.created_at.isoformat(),
                row.edited_at.isoformat() if row.edited_at else "",
                row.body,
            )
            for row in rows
        )
        yield CsvChunk(_csv(records), messages=len(rows))
