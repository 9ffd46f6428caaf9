"""Background work of the chat module."""

from collections.abc import AsyncIterator

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth import auth_gateway
from app.chat.config import get_chat_config
from app.chat.emails.templates import ExportReady
from app.chat.models import ExportJob, Room
from app.chat.services.export import count_messages, csv_chunks
from app.chat.services.storage import LocalFileStorage
from app.core.clock import utcnow
from app.core.mail import EmailData
from app.core.queue import BaseTask, queued

PROGRESS_EVERY = 1000


async def _report(factory: async_sessionmaker[AsyncSession], job_id: int, **values: object) -> None:
    """Progress in its own short transaction, so the status endpoint sees it while the job runs."""
    async with factory() as session, session.begin():
        await session.execute(update(ExportJob).where(ExportJob.id == job_id).values(**values))


@queued
class BuildExport(BaseTask):
    __task_name__ = "chat.build_export"

    async def run(self, job_id: int) -> dict[str, int]:
        context, config = self.context, get_chat_config()
        session, factory = context.session, context.unit_of_work.session_factory
        job = await session.get(ExportJob, job_id)
        room = await session.get(Room, job.room_id) if job else None
        if job is None or room is None:
            return {"rows": 0}
        total = await count_messages(session, room.id)
        await _report(factory, job_id, status="running", total=total, progress=0)
        rows = 0

        async def chunks() -> AsyncIterator[bytes]:
            nonlocal rows
            async with factory() as reader:
                async for chunk in csv_chunks(reader, room.id, config.EXPORT_BATCH):
                    yield chunk.text.encode()
                    before, rows = rows, rows + chunk.messages
                    # Once per PROGRESS_EVERY messages written, whatever the batch size.
                    if total and rows // PROGRESS_EVERY > before // PROGRESS_EVERY:
                        await _report(factory, job_id, progress=min(99, rows * 100 // total))

        storage = LocalFileStorage(config.STORAGE_DIR)
        key = storage.new_key(".csv")
        await storage.write(key, chunks())
        job.status, job.progress, job.file_key, job.finished_at = "done", 100, key, utcnow()
        requester = await auth_gateway(session, context.cache).get_user(job.requested_by)
        if requester is not None:
            link = f"{context.config.FRONTEND_URL.rstrip('/')}/chat/exports/{job.id}"
            await context.mail.queue(
                ExportReady(username=requester.username, room_name=room.name, link=link, rows=rows),
                EmailData(subject=f"Export of {room.name} is ready", recipient=requester.email),
            )
        return {"rows": rows}
