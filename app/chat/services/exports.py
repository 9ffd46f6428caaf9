"""Export jobs: requested here, built by the chat.build_export task."""

from app.auth import Principal
from app.chat.exceptions import NotFound
from app.chat.models import ExportJob
from app.chat.services.context import ChatContext
from app.chat.services.rooms import RoomService
from app.core.queue import QueueServiceInterface

BUILD_EXPORT = "chat.build_export"


class ExportService:
    def __init__(self, context: ChatContext, queue: QueueServiceInterface) -> None:
        self._context = context
        self._queue = queue

    async def request(self, room_id: int, user: Principal) -> ExportJob:
        await RoomService(self._context).ensure_member(room_id, user)
        job = ExportJob(room_id=room_id, requested_by=user.id)
        self._context.unit_of_work.session.add(job)
        await self._context.unit_of_work.session.flush()
        await self._queue.push(BUILD_EXPORT, {"job_id": job.id})
        return job

    async def get(self, job_id: int, user: Principal) -> ExportJob:
        job = await self._context.unit_of_work.session.get(ExportJob, job_id)
        # Someone else's job does not exist, as far as the caller can tell.
        if job is None or job.requested_by != user.id:
            raise NotFound("Export not found.")
        return job
