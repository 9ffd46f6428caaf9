"""What every process must agree on about access tokens, kept in Redis: a cached snapshot of each
account (its token version and status) and a marker per revoked session.

Both are read in one pipelined round trip on every authenticated request. A session's marker
lives as long as an access token can, so ending one session (logout, a revoked device, refresh
token reuse) stops that session's access token at its next request on every process.

Revocations write here *before* their transaction commits, and raise RevocationUnavailable (503)
when Redis cannot confirm the write: reporting success while another process keeps the old
snapshot in its cache would let the old token work there for up to CURRENT_USER_CACHE_TTL.
A write confirmed for a change that then fails to commit only refuses early what the user was
ending anyway (or drops a snapshot, which is read again).

When a read fails, the caller checks the database, where every revocation is recorded too. The
markers are not: if Redis loses its data, access tokens of sessions revoked in the last
ACCESS_TOKEN_TTL seconds work until they expire (token versions still hold).
"""

from typing import Any

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.auth.config import AuthConfig
from app.auth.exceptions import RevocationUnavailable
from app.core.log import logger

PRINCIPAL_KEY = "auth:principal:{}"
REVOKED_SESSION_KEY = "auth:revoked-session:{}"


class AccessStoreUnavailable(Exception):
    """Redis did not answer a read: the caller checks the database instead."""


class AccessStore:
    def __init__(self, redis: Redis, config: AuthConfig) -> None:
        self._redis = redis
        # 0 turns the snapshot cache off; the session markers are kept regardless.
        self._principal_ttl = config.CURRENT_USER_CACHE_TTL
        self._marker_ttl = config.ACCESS_TOKEN_TTL

    async def read(self, user_id: int, session_id: int) -> tuple[dict[str, Any] | None, bool]:
        """(the cached account snapshot or None, whether the session was revoked)."""
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                if self._principal_ttl:
                    pipe.get(PRINCIPAL_KEY.format(user_id))
                pipe.exists(REVOKED_SESSION_KEY.format(session_id))
                results = await pipe.execute()
        except (RedisError, OSError) as error:
            raise AccessStoreUnavailable from error
        snapshot = orjson.loads(results[0]) if self._principal_ttl and results[0] is not None else None
        return snapshot, bool(results[-1])

    async def remember(self, user_id: int, snapshot: dict[str, Any]) -> None:
        """Cache an account read from the database; skipped when Redis is unreachable."""
        if not self._principal_ttl:
            return
        try:
            await self._redis.set(
                PRINCIPAL_KEY.format(user_id), orjson.dumps(snapshot), ex=self._principal_ttl
            )
        except (RedisError, OSError) as error:
            logger.warning("principal cache unavailable", error=repr(error))

    async def forget(self, user_id: int) -> None:
        """Drop the account's snapshot; raises RevocationUnavailable if Redis cannot confirm."""
        try:
            await self._redis.delete(PRINCIPAL_KEY.format(user_id))
        except (RedisError, OSError) as error:
            raise RevocationUnavailable() from error

    async def forget_quietly(self, user_id: int) -> None:
        """Drop the snapshot after a change that revokes nothing (a new username), or once more
        after a revocation committed (a request may have cached the old row meanwhile)."""
        try:
            await self.forget(user_id)
        except RevocationUnavailable as error:
            logger.warning("principal cache unavailable", error=repr(error.__cause__))

    async def end_session(self, session_id: int) -> None:
        """Refuse the session's access tokens from now on; raises RevocationUnavailable if Redis
        cannot confirm."""
        try:
            await self._redis.set(REVOKED_SESSION_KEY.format(session_id), b"1", ex=self._marker_ttl)
        except (RedisError, OSError) as error:
            raise RevocationUnavailable() from error
