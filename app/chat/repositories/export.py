from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from app.chat.models import FINISHED_EXPORT, PENDING_EXPORT, ExportJob
from app.core.db import BaseRepository

# The partial unique index that lets one export per requester and room be pending.
PENDING_INDEX = "uq_chat_export_job_pending"


class ExportJobRepository(BaseRepository[ExportJob]):
    model = ExportJob

    async def create_unless_pending(self, room_id: int, user_id: int) -> ExportJob | None:
        """A new pending job, or None when one of this requester and room is pending already.
        The index decides, so two requests at once cannot both create one; the savepoint keeps
        the transaction usable for looking up the one that won."""
        try:
            async with self.session.begin_nested():
                return await self.create({"room_id": room_id, "requested_by": user_id})
        except IntegrityError as error:
            if PENDING_INDEX not in str(error.orig):
                raise
            return None

    async def pending(self, room_id: int, user_id: int) -> ExportJob | None:
        return await self.session.scalar(
            select(ExportJob).where(
                ExportJob.room_id == room_id,
                ExportJob.requested_by == user_id,
                ExportJob.status.in_(PENDING_EXPORT),
            )
        )

    async def mark_failed(self, job_id: int, now: datetime) -> None:
        """Finished as failed, unless it finished already (a late duplicate must not undo a success)."""
        await self.session.execute(
            update(ExportJob)
            .where(ExportJob.id == job_id, ExportJob.status.in_(PENDING_EXPORT))
            .values(status="failed", finished_at=now)
        )

    async def finished_before(self, moment: datetime, limit: int) -> Sequence[ExportJob]:
        return list(
            await self.session.scalars(
                select(ExportJob)
                .where(ExportJob.status.in_(FINISHED_EXPORT), ExportJob.finished_at < moment)
                .order_by(ExportJob.id)
                .limit(limit)
                # Two purges at once (two schedulers) split the work instead of waiting on each other.
                .with_for_update(skip_locked=True)
            )
        )

    async def delete_many(self, job_ids: Sequence[int]) -> None:
        await self.session.execute(delete(ExportJob).where(ExportJob.id.in_(job_ids)))
