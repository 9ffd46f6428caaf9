"""The platform: one object per unit of work, the only thing a module builds its services from.

A request gets it from `PlatformDep` (app.core.deps), a task or a durable listener from the
runner (`self.platform`, the listener's second argument), and a CLI command, a script or an
in-process listener from `platform_context()`. Each module wires its services with plain
functions of it::

    def item_service(platform: Platform) -> ItemService:
        return ItemService(ItemRepository(platform.session), events=platform.events)

and the route dependency wraps the very same function (`Depends(provide(item_service))`).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.cache import CacheServiceInterface
from app.core.config import AppConfig, BaseConfig
from app.core.db import UnitOfWork
from app.core.db.unit_of_work import AfterCommitHook
from app.core.events.service import DefaultEventsService
from app.core.mail.service import DefaultMailService
from app.core.outbox.writer import Outbox
from app.core.queue.service import DefaultQueueService
from app.core.request_info import RequestInfo
from app.core.resources import Resources, current_resources

SettingsT = TypeVar("SettingsT", bound=BaseConfig)


@asynccontextmanager
async def platform_context(resources: Resources | None = None) -> AsyncIterator["Platform"]:
    """A unit of work and its platform, for code outside requests and tasks: in-process listeners,
    CLI commands, WebSocket handlers, scripts (a durable listener gets its task's). Commits when
    the block ends (side effects follow the commit). `resources`: the process's by default."""
    resources = resources or current_resources()
    async with UnitOfWork(resources.session_factory) as unit_of_work:
        yield Platform.build(resources, unit_of_work)


@dataclass(frozen=True, slots=True)
class Platform:
    """The unit of work and its session, the side-effect channels (`events`, `mail`, `queue`,
    `after_commit`), the process's resources (`cache`, `redis`, `config`, `settings(...)`) and,
    for a request, who sent it (`request`; None in tasks, listeners and CLI commands)."""

    resources: Resources
    unit_of_work: UnitOfWork
    outbox: Outbox
    queue: DefaultQueueService
    events: DefaultEventsService
    mail: DefaultMailService
    request: RequestInfo | None = None

    @classmethod
    def build(
        cls, resources: Resources, unit_of_work: UnitOfWork, request: RequestInfo | None = None
    ) -> "Platform":
        outbox = Outbox(unit_of_work, resources.publisher)
        queue = DefaultQueueService(outbox, resources.registry)
        return cls(
            resources=resources,
            unit_of_work=unit_of_work,
            outbox=outbox,
            queue=queue,
            events=DefaultEventsService(unit_of_work, outbox, resources.registry),
            mail=DefaultMailService(resources.config, resources.mail_backend, queue),
            request=request,
        )

    @property
    def session(self) -> AsyncSession:
        return self.unit_of_work.session

    def after_commit(self, hook: AfterCommitHook) -> None:
        """Run `hook` once the unit of work has committed; dropped on rollback, may be lost on a crash."""
        self.unit_of_work.after_commit(hook)

    @property
    def cache(self) -> CacheServiceInterface:
        return self.resources.cache

    @property
    def redis(self) -> Redis:
        return self.resources.redis

    @property
    def config(self) -> AppConfig:
        return self.resources.config

    def settings(self, settings_class: type[SettingsT]) -> SettingsT:
        """An installed module's settings (`platform.settings(AuthConfig)`), as loaded at startup."""
        return self.resources.settings(settings_class)
