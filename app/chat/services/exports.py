"""Room exports: streamed as they are read (export.csv), or built into a file by the
chat.build_export task, kept CHAT_EXPORT_RETENTION seconds, then purged."""

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import datetime, timedelta

import anyio
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth import Principal
from app.chat.config import ChatConfig
from app.chat.exceptions import ExportNotFound, ExportPending, TooManyExportStreams
from app.chat.models import ExportJob
from app.chat.repositories.export import ExportJobRepository
from app.chat.schemas.payloads import BuildExportPayload
from app.chat.services.csv_chunks import CsvChunk, csv_chunks
from app.chat.services.rooms import RoomService
from app.chat.services.storage import FileStorage
from app.chat.services.user_slots import Lease, UserSlots
from app.core.clock import utcnow
from app.core.errors import ServiceUnavailable
from app.core.queue import QueueServiceInterface

STREAMS_KEY = "chat:export-streams"
# Seconds a stream's place lasts unless renewed: longer than any pause between two batches of a
# stream whose client is reading at all.
STREAM_LEASE = 300
# Streams usually end within seconds; a client told to come back sooner would only be refused again.
STREAM_RETRY_AFTER = 10


class CsvStream:
    """The body of a streamed export (CSV text). Closing it ends the stream and frees its place
    under the cap, whether it was read to the end, abandoned half way, or never started."""

    def __init__(self, chunks: AsyncGenerator[CsvChunk, None], lease: Lease) -> None:
        self._chunks = chunks
        self._lease = lease
        self._sent = False

    def __aiter__(self) -> "CsvStream":
        return self

    async def __anext__(self) -> str:
        if self._sent:
            # The client took the last chunk: the stream is alive, whatever its pace. Redis
            # missing a renewal only lets the lease lapse early: no reason to cut the download.
            with contextlib.suppress(RedisError):
                await self._lease.renew()
        chunk = await anext(self._chunks)
        self._sent = True
        return chunk.text

    async def aclose(self) -> None:
        # Shielded: a response cancelled because its client left must still give its place back.
        with anyio.CancelScope(shield=True):
            try:
                await self._chunks.aclose()
            finally:
                with contextlib.suppress(RedisError):  # else the lease lapses by itself
                    await self._lease.release()


class ExportService:
    def __init__(
        self,
        *,
        jobs: ExportJobRepository,
        rooms: RoomService,
        queue: QueueServiceInterface,
        storage: FileStorage,
        redis: Redis,
        session_factory: async_sessionmaker[AsyncSession],
        config: ChatConfig,
    ) -> None:
        self._jobs = jobs
        self._rooms = rooms
        self._queue = queue
        self._storage = storage
        self._redis = redis
        # Streamed exports read in batches, each on a connection of its own (see `stream`).
        self._session_factory = session_factory
        self._config = config

    async def stream(self, room_id: int, user: Principal) -> CsvStream:
        """The room's messages as CSV, read in batches while the caller sends them.

        The batches come from the unit of work's session factory: for a GET, the read pool's
        autocommit connections, each taken for one batch and given back before the batch is sent,
        so slow clients hold no connection. Raises TooManyExportStreams (429) when the user has
        CHAT_EXPORT_STREAMS_PER_USER streams open already, ServiceUnavailable (503) when Redis,
        where they are counted, does not answer."""
        await self._rooms.ensure_member(room_id, user)
        config = self._config
        slots = UserSlots(self._redis, STREAMS_KEY, config.EXPORT_STREAMS_PER_USER, STREAM_LEASE)
        try:
            lease = await slots.acquire(user.id)
        except RedisError as error:  # the cap cannot be counted: refuse rather than leave it open
            raise ServiceUnavailable(headers={"Retry-After": str(STREAM_RETRY_AFTER)}) from error
        if lease is None:
            raise TooManyExportStreams(headers={"Retry-After": str(STREAM_RETRY_AFTER)})
        chunks = csv_chunks(self._session_factory, room_id, config.EXPORT_BATCH)
        return CsvStream(chunks, lease)

    async def request(self, room_id: int, user: Principal) -> ExportJob:
        """Queue a new export; ExportPending (409) while one of this room by this user is pending."""
        await self._rooms.ensure_member(room_id, user)
        job = await self._jobs.create_unless_pending(room_id, user.id)
        if job is None:
            pending = await self._jobs.pending(room_id, user.id)
            raise ExportPending(extra={"job_id": pending.id} if pending else {})
        await self._queue.push(BuildExportPayload(job_id=job.id))
        return job

    async def get(self, job_id: int, user: Principal) -> ExportJob:
        """The caller's job, while they may still read the room (a member, the room not deleted)
        and the export has not expired."""
        job = await self._jobs.get(job_id)
        # Someone else's job does not exist, as far as the caller can tell.
        if job is None or job.requested_by != user.id:
            raise ExportNotFound()
        await self._rooms.ensure_member(job.room_id, user)
        expires_at = self.expires_at(job)
        if expires_at is not None and expires_at <= utcnow():
            raise ExportNotFound("The export has expired.")
        return job

    async def download(self, job_id: int, user: Principal) -> tuple[ExportJob, AsyncIterator[bytes]]:
        """The finished export and its file's content, on the terms of `get`."""
        job = await self.get(job_id, user)
        if job.status != "done" or job.file_key is None:
            raise ExportNotFound("The export is not ready.")
        return job, self._storage.read(job.file_key)

    def expires_at(self, job: ExportJob) -> datetime | None:
        if job.finished_at is None:
            return None
        return job.finished_at + timedelta(seconds=self._config.EXPORT_RETENTION)
