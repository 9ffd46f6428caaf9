"""A room's messages as CSV, for the streamed download and the file a worker builds: the same
rows, the same neutralized cells, whichever path serves them."""

import csv
import io
from collections.abc import AsyncGenerator, Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.chat.repositories.room import MessageRepository

HEADER = ("id", "author_id", "created_at", "edited_at", "body")
# A spreadsheet reads a cell starting with one of these as a formula (or, for tab and CR, strips
# it and reads what follows): the OWASP list for CSV injection.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(cell: str) -> str:
    """A leading single quote makes a spreadsheet show the text instead of evaluating it (OWASP's
    advice); the csv writer still quotes the cell where its content needs it."""
    return f"'{cell}" if cell.startswith(FORMULA_TRIGGERS) else cell


@dataclass(frozen=True, slots=True)
class CsvChunk:
    """Complete CSV lines (a record never spans two chunks) and how many messages they hold."""

    text: str
    messages: int


def _csv(records: Iterable[tuple[object, ...]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(records)
    return buffer.getvalue()


async def csv_chunks(
    sessions: async_sessionmaker[AsyncSession], room_id: int, batch: int
) -> AsyncGenerator[CsvChunk, None]:
    """The header, then the room's messages `batch` rows per chunk, in id order.

    Each batch is read by id (after the last one sent) in a session of its own, closed before the
    chunk is yielded: a consumer that stalls (a client that stops reading, a slow disk) holds no
    database connection, however long it takes. A chunk per batch rather than a line per row keeps
    the per-row cost at the CSV writer's."""
    yield CsvChunk(_csv([HEADER]), messages=0)
    after_id = 0
    while True:
        async with sessions() as session:
            rows = await MessageRepository(session).page_after(room_id, after_id, batch)
        if not rows:
            return
        after_id = rows[-1].id
        records = (
            (
                row.id,
                row.author_id or "",
                row.created_at.isoformat(),
                row.edited_at.isoformat() if row.edited_at else "",
                neutralize(row.body),
            )
            for row in rows
        )
        yield CsvChunk(_csv(records), messages=len(rows))
        if len(rows) < batch:
            return
