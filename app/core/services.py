"""The platform services of one unit of work, for tasks (requests get them one by one via deps)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.cache import CacheServiceInterface
from app.core.config import AppConfig
from app.core.db import UnitOfWork
from app.core.events.service import EventsService
from app.core.mail.service import MailService
from app.core.outbox.writer import Outbox
from app.core.queue.service import QueueService
from app.core.resources import Resources
from app.core.runtime import current_resources


@asynccontextmanager
async def platform_context() -> AsyncIterator["TaskContext"]:
    """A unit of work with the platform services, for code outside requests and tasks: in-process
    listeners, CLI commands, scripts (a durable listener gets its task's). Commits when the block
    ends (side effects follow the commit)."""
    resources = current_resources()
    async with UnitOfWork(resources.session_factory) as unit_of_work:
        yield TaskContext.build(resources, unit_of_work)


@dataclass(frozen=True, slots=True)
class TaskContext:
    resources: Resources
    unit_of_work: UnitOfWork
    outbox: Outbox
    queue: QueueService
    events: EventsService
    mail: MailService

    @classmethod
    def build(cls, resources: Resources, unit_of_work: UnitOfWork) -> "TaskContext":
        outbox = Outbox(unit_of_work, resources.publisher)
        queue = QueueService(outbox)
        return cls(
            resources=resources,
            unit_of_work=unit_of_work,
            outbox=outbox,
            queue=queue,
            events=EventsService(unit_of_work, outbox),
            mail=MailService(resources.config, resources.mail_backend, queue),
        )

    @property
    def session(self) -> AsyncSession:
        return self.unit_of_work.session

    @property
    def cache(self) -> CacheServiceInterface:
        return self.resources.cache

    @property
    def config(self) -> AppConfig:
        return self.resources.config
