"""Ending access before it expires: every token of an account, or one session's, on every process."""

from collections.abc import Callable

from app.auth.events import AccessRevoked
from app.auth.services.access import AccessStore
from app.core.db import AfterCommitHook
from app.core.events import EventsServiceInterface


class AccessRevocation:
    def __init__(
        self,
        access: AccessStore,
        events: EventsServiceInterface,
        after_commit: Callable[[AfterCommitHook], None],
    ) -> None:
        self._access = access
        self._events = events
        self._after_commit = after_commit

    def forget_after_commit(self, user_id: int) -> None:
        """Drop the cached account once a change that revokes nothing is committed."""
        access = self._access

        async def forget() -> None:
            await access.forget_quietly(user_id)

        self._after_commit(forget)

    async def revoke_all(self, user_id: int, token_version: int, reason: str) -> None:
        """Every access token below `token_version` (the user's new one) ends: Redis refuses them
        from now on and drops the cached account (503 if it cannot confirm, so the change rolls
        back); the account is dropped once more after commit."""
        await self._access.retire_tokens_below(user_id, token_version)
        self.forget_after_commit(user_id)
        self._events.dispatch(AccessRevoked(user_id=user_id, session_id=None, reason=reason))

    async def revoke_session(self, user_id: int, session_id: int, reason: str) -> None:
        """One session's access tokens end at their next request, on every process (503 if Redis
        cannot confirm, so the change rolls back)."""
        # Dispatched first: it goes out only if the revocation commits, which a caller may want
        # even when Redis could not confirm (refresh-token reuse).
        self._events.dispatch(AccessRevoked(user_id=user_id, session_id=session_id, reason=reason))
        await self._access.end_session(session_id)
