"""What every process must agree on about access tokens, kept in Redis: a cached snapshot of each
account (its token version and status), a marker per revoked session and, per account, the lowest
token version still valid after its last revocation.

All three are read in one pipelined round trip on every authenticated request. Markers live as
long as an access token can, so ending one session (logout, a revoked device, refresh token reuse)
stops that session's access token at its next request on every process, and retiring all of an
account's tokens holds even against a request that read the old row before the change committed
and cached it after (a snapshot older than the lowest valid version is ignored).

Revocations write here *before* their transaction commits, and raise RevocationUnavailable (503)
when Redis cannot confirm the write: reporting success while another process keeps the old
snapshot in its cache would let the old token work there for up to CURRENT_USER_CACHE_TTL.
A write confirmed for a change that then fails to commit only refuses early what the user was
ending anyway (or drops a snapshot, which is read again).

When a read fails, the caller checks the database, where every revocation is recorded too. The
markers are not: if Redis loses its data, access tokens of sessions revoked in the last
ACCESS_TOKEN_TTL seconds work until they expire (token versions still hold).
"""

from dataclasses import dataclass
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.auth.config import AuthConfig
from app.auth.exceptions import RevocationUnavailable
from app.core.log import logger

PRINCIPAL_KEY = "auth:principal:{}"
REVOKED_SESSION_KEY = "auth:revoked-session:{}"
LOWEST_VERSION_KEY = "auth:lowest-token-version:{}"
SPENT_TOKEN_KEY = "auth:spent-token:{}"  # noqa: S105 - a Redis key name, not a secret


@dataclass(frozen=True, slots=True)
class AccessState:
    """What Redis says about one access token's account and session."""

    snapshot: dict[str, Any] | None
    session_revoked: bool
    lowest_version: int


class AccessStoreUnavailable(Exception):
    """Redis did not answer a read: the caller checks the database instead."""


class AccessStore:
    def __init__(self, redis: Redis, config: AuthConfig) -> None:
        self._redis = redis
        # 0 turns the snapshot cache off; the session markers are kept regardless.
        self._principal_ttl = config.CURRENT_USER_CACHE_TTL
        self._marker_ttl = config.ACCESS_TOKEN_TTL

    async def read(self, user_id: int, session_id: int) -> AccessState:
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.exists(REVOKED_SESSION_KEY.format(session_id))
                pipe.get(LOWEST_VERSION_KEY.format(user_id))
                if self._principal_ttl:
                    pipe.get(PRINCIPAL_KEY.format(user_id))
                results = await pipe.execute()
        except (RedisError, OSError) as error:
            raise AccessStoreUnavailable from error
        snapshot = orjson.loads(results[2]) if self._principal_ttl and results[2] is not None else None
        return AccessState(snapshot, bool(results[0]), int(results[1] or 0))

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

    async def retire_tokens_below(self, user_id: int, token_version: int) -> None:
        """Refuse the account's access tokens older than `token_version` and drop its snapshot;
        raises RevocationUnavailable if Redis cannot confirm."""
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.set(LOWEST_VERSION_KEY.format(user_id), token_version, ex=self._marker_ttl)
                pipe.delete(PRINCIPAL_KEY.format(user_id))
                await pipe.execute()
        except (RedisError, OSError) as error:
            raise RevocationUnavailable() from error

    async def forget_quietly(self, user_id: int) -> None:
        """Drop the snapshot after a change that revokes nothing (a new username), or once more
        after a revocation committed; a failure only leaves a snapshot that expires on its own."""
        try:
            await self._redis.delete(PRINCIPAL_KEY.format(user_id))
        except (RedisError, OSError) as error:
            logger.warning("principal cache unavailable", error=repr(error))

    async def spend_once(self, token_id: str, ttl: int) -> bool:
        """Whether this is the first spending of a single-use token (a sign-in's second step),
        on every process; raises RevocationUnavailable if Redis cannot say."""
        try:
            return bool(await self._redis.set(SPENT_TOKEN_KEY.format(token_id), b"1", nx=True, ex=ttl))
        except (RedisError, OSError) as error:
            raise RevocationUnavailable() from error

    async def end_session(self, session_id: int) -> None:
        """Refuse the session's access tokens from now on; raises RevocationUnavailable if Redis
        cannot confirm."""
        try:
            await self._redis.set(REVOKED_SESSION_KEY.format(session_id), b"1", ex=self._marker_ttl)
        except (RedisError, OSError) as error:
            raise RevocationUnavailable() from error
