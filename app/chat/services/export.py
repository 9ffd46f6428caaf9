"""Room exports: streamed straight from the database as CSV (constant memory, any size), or built
into a file by a worker with progress the client can poll."""

import csv
import io
from collections.abc import AsyncIterator

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.chat.models import Message

HEADER = ("id", "author_id", "created_at", "edited_at", "body")


def _line(values: tuple[object, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


async def count_messages(session: AsyncSession, room_id: int) -> int:
    statement = select(func.count()).select_from(Message).where(Message.room_id == room_id)
    return int(await session.scalar(statement) or 0)


async def csv_lines(session: AsyncSession, room_id: int, batch: int) -> AsyncIterator[str]:
    """The room's messages as CSV lines, fetched `batch` rows at a time through a server-side cursor."""
    yield _line(HEADER)
    statement = (
        select(Message.id, Message.author_id, Message.created_at, Message.edited_at, Message.body)
        .where(Message.room_id == room_id)
        .order_by(Message.id)
        .execution_options(yield_per=batch)
    )
    result = await session.stream(statement)
    async for row in result:
        yield _line(
            (
                row.id,
                row.author_id or "",
                row.created_at.isoformat(),
                row.edited_at.isoformat() if row.edited_at else "",
                row.body,
            )
        )
