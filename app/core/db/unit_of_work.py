"""The unit of work: one session, one transaction, and side effects released only after commit.

Services flush, never commit. The boundary that opened the unit of work (a request, a task run,
a CLI command) commits on success and rolls back on error. Side effects requested meanwhile
(events, tasks, mail) are registered with `after_commit` and run only once the data they talk
about is durable; a rollback drops them. A record of the failure itself (a failed sign-in in an
audit log) is the one write that must outlive a rollback: `add_despite_rollback` writes it either
way, exactly once.

A read-only unit of work (what requests with a safe method get: GET, HEAD, OPTIONS) runs on
autocommit connections: no BEGIN, no COMMIT, each statement on its own snapshot. It refuses
writes and side effects, so a handler that would change something under a safe method fails
loudly instead of committing statement by statement. It ends by closing its session: nothing to
commit. Its repositories read snapshots (app.core.db.snapshot).
"""

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Self

import structlog
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from app.core.db.engine import AUTOCOMMIT

AfterCommitHook = Callable[[], Awaitable[None]]
# Builds a new ORM object each call (one for this transaction, one for the transaction of its own).
RowBuilder = Callable[[], object]

_log = structlog.get_logger(__name__)
_READ_ONLY = "read_only_unit_of_work"


def is_read_only(session: AsyncSession) -> bool:
    """Whether `session` is a read-only unit of work's (its repositories read snapshots)."""
    return bool(session.info.get(_READ_ONLY))


class ReadOnlyUnitOfWorkError(RuntimeError):
    """A write or a side effect inside a read-only unit of work: a bug in the handler, not bad input."""


@event.listens_for(Session, "do_orm_execute")
def _refuse_write_statements(state: ORMExecuteState) -> None:
    if state.session.info.get(_READ_ONLY) and (state.is_insert or state.is_update or state.is_delete):
        raise ReadOnlyUnitOfWorkError("INSERT, UPDATE or DELETE in a read-only unit of work")


@event.listens_for(Session, "before_flush")
def _refuse_flushes(session: Session, _: UOWTransaction, __: object) -> None:
    if session.info.get(_READ_ONLY):
        raise ReadOnlyUnitOfWorkError("changed objects flushed in a read-only unit of work")


class UnitOfWork:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], *, read_only: bool = False) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
        self._open = False
        self._after_commit: list[AfterCommitHook] = []
        self._despite_rollback: list[RowBuilder] = []
        self.read_only = read_only

    @property
    def session_factory(self) -> async_sessionmaker[AsyncSession]:
        """Where follow-up work (after commit) opens its own short transactions."""
        return self._session_factory

    @property
    def session(self) -> AsyncSession:
        """The ORM session, created the first time something uses it: work that never touches
        it (a task that only sends an email) pays nothing for it."""
        if self._session is None:
            if not self._open:
                raise RuntimeError("the unit of work is not open; use `async with UnitOfWork(...)`")
            self._session = self._create_session()
        return self._session

    def _create_session(self) -> AsyncSession:
        session = self._session_factory()
        if self.read_only:
            session.info[_READ_ONLY] = True
        return session

    def after_commit(self, hook: AfterCommitHook) -> None:
        """Run `hook` after the next successful commit; it is dropped on rollback."""
        if self.read_only:
            raise ReadOnlyUnitOfWorkError("side effect requested in a read-only unit of work")
        self._after_commit.append(hook)

    def add_despite_rollback(self, build: RowBuilder) -> None:
        """Add `build()` to this transaction, and if the unit of work ends without committing
        (the error it records fails the request, or the commit itself fails) write `build()` again
        in a short transaction of its own, once this one is over: the row is written exactly once
        either way. For records of a failure that the failure must not erase (a failed sign-in in
        the audit log); everything else belongs to the commit."""
        if self.read_only:
            raise ReadOnlyUnitOfWorkError("write requested in a read-only unit of work")
        self.session.add(build())
        self._despite_rollback.append(build)

    async def commit(self) -> None:
        # A read-only session commits too: its flush is where a changed object is refused.
        if self._session is not None:
            await self._session.commit()
        await self._commit_connection()
        # Before the hooks, which may need a connection of the pool's (the outbox publisher's).
        await self._release_connection()
        self._despite_rollback.clear()
        hooks, self._after_commit = self._after_commit, []
        for hook in hooks:
            # The data is committed: a failing side effect must not turn success into an error
            # for the caller, nor stop the side effects after it.
            try:
                await hook()
            except Exception:
                _log.exception("after-commit hook failed", hook=getattr(hook, "__qualname__", repr(hook)))

    async def end_read_transaction(self) -> None:
        """End the transaction of a unit of work that has only read so far, before a long wait
        that needs no database (an upload streaming in), so the wait holds no pooled connection;
        the next statement opens a new transaction, committed at the boundary as usual. The one
        sanctioned early end: a unit of work with changes or side effects pending refuses it
        (they belong to the commit at the boundary)."""
        session = self.session
        if session.new or session.dirty or session.deleted or self._after_commit:
            raise RuntimeError("end_read_transaction() with changes or side effects pending")
        await session.commit()

    async def rollback(self) -> None:
        self._after_commit.clear()
        try:
            if self._session is not None:
                await self._session.rollback()
            await self._rollback_connection()
        finally:
            await self._write_despite_rollback()

    # A unit of work that holds a connection of its own (ConnectionUnitOfWork) ends its
    # transaction there; this one has only its session's.
    async def _commit_connection(self) -> None:
        pass

    async def _rollback_connection(self) -> None:
        pass

    async def _release_connection(self) -> None:
        pass

    async def _write_despite_rollback(self) -> None:
        builds, self._despite_rollback = self._despite_rollback, []
        if not builds:
            return
        # The request's own error is what its caller must see: a failure here is logged instead.
        try:
            async with self._session_factory() as session:
                session.add_all([build() for build in builds])
                await session.commit()
        except Exception:
            _log.exception("write despite rollback failed", rows=len(builds))

    def _end_read_only(self, *, failed: bool) -> None:
        # Nothing to commit: the connections are autocommit and writes were refused, so closing
        # the session ends it (its commit costs about as much as a short read). A changed ORM
        # object is refused here, as its flush would be. On a transactional connection (one
        # shared by several sessions, each in a savepoint) the session commits as before: closing
        # would roll back its savepoint and what other sessions released inside it.
        session = self.session
        if not failed and (session.new or session.dirty or session.deleted):
            raise ReadOnlyUnitOfWorkError("changed objects left in a read-only unit of work")

    async def __aenter__(self) -> Self:
        self._open = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if self.read_only and self._session is None:
                pass  # nothing was read through it: nothing to end
            elif self.read_only and self.session.info.get(AUTOCOMMIT):
                self._end_read_only(failed=exc_type is not None)
            elif exc_type is None or getattr(exc, "commit_unit_of_work", False):
                await self.commit()
            else:
                await self.rollback()
        finally:
            self._open = False
            try:
                session = self._session
                # A read-only session that never took a connection (its reads went directly, see
                # app.core.db.direct) has nothing to give back: its close would only cost a greenlet hop.
                if session is not None and not (self.read_only and session.get_transaction() is None):
                    await session.close()
                self._session = None
            finally:
                await self._release_connection()
            # Still pending only when the commit failed: the rows it carried are not written.
            await self._write_despite_rollback()
