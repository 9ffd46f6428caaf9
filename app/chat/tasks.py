"""Background work of the chat module."""

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, ClassVar

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth import auth_gateway
from app.chat.emails.templates import ExportReady
from app.chat.models import FINISHED_EXPORT, ExportJob, Room
from app.chat.repositories.export import ExportJobRepository
from app.chat.repositories.room import MessageRepository
from app.chat.schemas.payloads import BuildExportPayload, PurgeExportsPayload
from app.chat.services.csv_chunks import csv_chunks
from app.chat.services.factory import chat_settings, file_storage
from app.core.clock import utcnow
from app.core.log import logger
from app.core.mail import EmailData
from app.core.queue.task import BaseTask, queued

PROGRESS_EVERY = 1000
# Expired exports deleted per purge run: a backlog is worked off over the following runs.
PURGE_BATCH = 500


async def _report(factory: async_sessionmaker[AsyncSession], job_id: int, **values: object) -> None:
    """Progress in its own short transaction, so the status endpoint sees it while the job runs."""
    async with factory() as session, session.begin():
        await session.execute(update(ExportJob).where(ExportJob.id == job_id).values(**values))


@queued
class BuildExport(BaseTask[BuildExportPayload]):
    async def run(self, payload: BuildExportPayload) -> dict[str, int]:
        job_id = payload.job_id
        platform = self.platform
        config, storage = chat_settings(platform), file_storage(platform)
        session, factory = platform.session, platform.unit_of_work.session_factory
        job = await session.get(ExportJob, job_id)
        # A job finished already (failed after its last attempt, then requeued) stays as it is:
        # its requester has been told, and may have asked again since.
        if job is None or job.status in FINISHED_EXPORT:
            return {"rows": 0}
        room = await session.get(Room, job.room_id)
        if room is None:  # deleted since: nothing left to export
            job.status, job.finished_at = "failed", utcnow()
            return {"rows": 0}
        total = await MessageRepository(session).count_in_room(room.id)
        await _report(factory, job_id, status="running", total=total, progress=0)
        rows = 0

        async def chunks() -> AsyncIterator[bytes]:
            nonlocal rows
            async for chunk in csv_chunks(factory, room.id, config.EXPORT_BATCH):
                yield chunk.text.encode()
                before, rows = rows, rows + chunk.messages
                # Once per PROGRESS_EVERY messages written, whatever the batch size.
                if total and rows // PROGRESS_EVERY > before // PROGRESS_EVERY:
                    await _report(factory, job_id, progress=min(99, rows * 100 // total))

        key = storage.new_key(".csv")
        # A failed write leaves nothing behind; a failure after it must not leave the file either
        # (the job never points at it, and the retry writes a new one).
        await storage.write(key, chunks())
        try:
            job.status, job.progress, job.file_key, job.finished_at = "done", 100, key, utcnow()
            requester = await auth_gateway(platform).get_user(job.requested_by)
            if requester is not None:
                # Without a front end: the API's download route (for a client with the
                # requester's bearer token; the file is theirs alone).
                link = platform.config.email_links.link(
                    frontend=f"/chat/exports/{job.id}", api=f"/chat/exports/{job.id}/download"
                )
                expires_at = job.finished_at + timedelta(seconds=config.EXPORT_RETENTION)
                template = ExportReady(
                    username=requester.username,
                    room_name=room.name,
                    link=link,
                    rows=rows,
                    expires_at=f"{expires_at:%Y-%m-%d %H:%M} UTC",
                )
                subject = f"Export of {room.name} is ready"
                await platform.mail.queue(template, EmailData(subject=subject, recipient=requester.email))
            await session.flush()
        except BaseException:
            await storage.delete(key)
            raise
        return {"rows": rows}

    async def dead_lettered(self, payload: BuildExportPayload) -> None:
        """Out of attempts: the job is failed, so its requester stops waiting and may ask again."""
        await ExportJobRepository(self.platform.session).mark_failed(payload.job_id, utcnow())


@queued
class PurgeExports(BaseTask[PurgeExportsPayload]):
    """Deletes finished exports, files and jobs, CHAT_EXPORT_RETENTION seconds after they finished,
    and the partial files of writers killed mid-way."""

    __schedule__: ClassVar[list[dict[str, Any]]] = [{"cron": "47 * * * *"}]

    async def run(self, payload: PurgeExportsPayload) -> dict[str, int]:
        del payload
        before = utcnow() - timedelta(seconds=chat_settings(self.platform).EXPORT_RETENTION)
        storage = file_storage(self.platform)
        jobs = ExportJobRepository(self.platform.session)
        expired = await jobs.finished_before(before, PURGE_BATCH)
        # Files first: if the deletion of the rows then fails, the next run finds them again
        # (deleting a file twice is harmless), and an expired job is no longer served meanwhile.
        for job in expired:
            if job.file_key is not None:
                await storage.delete(job.file_key)
        await jobs.delete_many([job.id for job in expired])
        partial = await storage.sweep_partial(before)
        if expired or partial:
            logger.info("expired exports purged", jobs=len(expired), partial_files=partial)
        return {"jobs": len(expired), "partial_files": partial}
