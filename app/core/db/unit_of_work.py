"""The unit of work: one session, one transaction, and side effects released only after commit.

Services flush, never commit. The boundary that opened the unit of work (a request, a task run,
a CLI command) commits on success and rolls back on error. Side effects requested meanwhile
(events, tasks, mail) are registered with `after_commit` and run only once the data they talk
about is durable; a rollback drops them.
"""

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Self

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

AfterCommitHook = Callable[[], Awaitable[None]]

_log = structlog.get_logger(__name__)


class UnitOfWork:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
        self._after_commit: list[AfterCommitHook] = []

    @property
    def session_factory(self) -> async_sessionmaker[AsyncSession]:
        """Where follow-up work (after commit) opens its own short transactions."""
        return self._session_factory

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is not open; use `async with UnitOfWork(...)`")
        return self._session

    def after_commit(self, hook: AfterCommitHook) -> None:
        """Run `hook` after the next successful commit; it is dropped on rollback."""
        self._after_commit.append(hook)

    async def commit(self) -> None:
        await self.session.commit()
        hooks, self._after_commit = self._after_commit, []
        for hook in hooks:
            # The data is committed: a failing side effect must not turn success into an error
            # for the caller, nor stop the side effects after it.
            try:
                await hook()
            except Exception:
                _log.exception("after-commit hook failed", hook=getattr(hook, "__qualname__", repr(hook)))

    async def rollback(self) -> None:
        self._after_commit.clear()
        await self.session.rollback()

    async def __aenter__(self) -> Self:
        self._session = self._session_factory()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None or getattr(exc, "commit_unit_of_work", False):
                await self.commit()
            else:
                await self.rollback()
        finally:
            await self.session.close()
            self._session = None
