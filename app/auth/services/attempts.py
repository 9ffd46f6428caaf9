"""A per-user limit on checks of the current password (password change, email change, account
deletion).

Those routes are reached with an access token, so a stolen token would otherwise let its holder
guess the password without bound, each guess taking a hashing slot other users' logins wait for.
A fixed window per user in Redis, shared by every process; the check is counted before the hash
is computed, so the attempt after the limit is refused even with the right password. Like the
login limits it fails closed: no Redis, no password check (503).
"""

from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.auth.exceptions import TooManyPasswordChecks
from app.core.config import AppConfig
from app.core.errors import ServiceUnavailable

WINDOW_SECONDS = 60


class PasswordCheckLimit:
    def __init__(self, redis: Redis, config: AppConfig, per_minute: int) -> None:
        self._redis = redis
        self._enabled = config.RATE_LIMITER_ENABLED
        self._prefix = f"{config.RATE_LIMITER_PREFIX}:auth.password_check:user:"
        self._per_minute = per_minute

    async def spend(self, user_id: int) -> None:
        """Count one check for the user; raises TooManyPasswordChecks past the limit."""
        if not self._enabled:
            return
        key = f"{self._prefix}{user_id}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, WINDOW_SECONDS, nx=True)
                pipe.ttl(key)
                count, _, remaining = await pipe.execute()
        except (RedisError, OSError) as error:
            raise ServiceUnavailable(
                "Password checks are unavailable; retry shortly.", headers={"Retry-After": "5"}
            ) from error
        if int(count) > self._per_minute:
            raise TooManyPasswordChecks(retry_after=max(int(remaining), 1))
