"""`ConfigurableRateLimiter`: a rate limit as a route dependency, on pyrate-limiter and Redis.

    router = APIRouter(dependencies=[Depends(ConfigurableRateLimiter(times=5, seconds=60))])

    @router.post("/login", dependencies=[Depends(ConfigurableRateLimiter(5, 60, fail_closed=True))])

- Counters live in Redis (pyrate-limiter's atomic Lua script), shared by every API process.
- Keys: the client address by default (X-Forwarded-For only from TRUSTED_PROXIES),
  `key="user"` for the authenticated user, or any `async (connection, trusted_proxies) -> str`.
  Each route has its own counter, named after its endpoint so every process agrees on it.
- A 429 is problem+json with Retry-After, RateLimit and RateLimit-Policy headers.
- `await limiter.hit(connection)` counts without raising, for what is not a route (WebSocket
  frames): it returns the seconds to wait, 0 when allowed.
- Redis down: the request passes (fail open, logged), or is refused with 503 where
  `fail_closed=True` (for routes where unlimited attempts are worse than none, like login).
- RATE_LIMITER_ENABLED=false turns every limiter off (the test settings do).

Not fastapi-limiter's `RateLimiter`: it finds the route by scanning `app.routes`, which breaks on
FastAPI's lazily included routers (>= 0.137: AttributeError on `_IncludedRouter.path`), and its
identifier and callback are told neither the trusted proxies nor the wait. This one keys by the
matched endpoint and computes Retry-After from the bucket.
"""

import math
import time
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from redis.asyncio import Redis
from redis.exceptions import NoScriptError, RedisError
from starlette.requests import HTTPConnection, Request

from app.core.errors import ServiceUnavailable, TooManyRequests
from app.core.limiter.identity import Identity, Network, by_ip, by_user
from app.core.log import logger

if TYPE_CHECKING:
    # Imported when a limiter first counts (RATE_LIMITER_ENABLED): routes declare limiters at
    # import, and pyrate-limiter (with the sqlite3 and multiprocessing its package imports) is
    # ~12 ms and ~2 MB a process with the limiter off never uses.
    from pyrate_limiter import Limiter

    from app.core.limiter.buckets import RedisBucketPerKey

_ERROR_LOG_INTERVAL = 30.0


class ConfigurableRateLimiter:
    def __init__(
        self,
        times: int,
        seconds: int,
        *,
        key: Literal["ip", "user"] | Identity = "ip",
        name: str | None = None,
        fail_closed: bool = False,
    ) -> None:
        if times < 1 or seconds < 1:
            raise ValueError("times and seconds must be at least 1")
        self.identity: Identity = {"ip": by_ip, "user": by_user}[key] if isinstance(key, str) else key
        self.times, self.seconds = times, seconds
        self.name = name
        self.fail_closed = fail_closed
        self.policy = f'"default";q={times};w={seconds}'
        # One pyrate-limiter Limiter per Redis client (an app, a test app), created on first use.
        self._limiters: weakref.WeakKeyDictionary[Redis, tuple[Limiter, RedisBucketPerKey]] = (
            weakref.WeakKeyDictionary()
        )
        self._last_error_logged = -math.inf

    def _limiter_for(self, redis: Redis) -> "tuple[Limiter, RedisBucketPerKey]":
        pair = self._limiters.get(redis)
        if pair is None:
            from pyrate_limiter import Duration, Limiter, Rate  # noqa: PLC0415 - see TYPE_CHECKING

            from app.core.limiter.buckets import RedisBucketPerKey  # noqa: PLC0415

            buckets = RedisBucketPerKey(redis, Rate(self.times, Duration.SECOND * self.seconds))
            pair = (Limiter(buckets), buckets)
            self._limiters[redis] = pair
        return pair

    def _scope_name(self, connection: HTTPConnection) -> str:
        if self.name:
            return self.name
        endpoint = connection.scope.get("endpoint")
        if endpoint is not None:
            return f"{endpoint.__module__}.{endpoint.__qualname__}"
        return f"{connection.scope.get('method', 'WEBSOCKET')}:{connection.url.path}"

    async def __call__(self, request: Request) -> None:
        retry_after = await self.hit(request)
        if retry_after:
            raise self._too_many(retry_after)

    async def hit(self, connection: HTTPConnection) -> int:
        """Count one request of `connection`: 0 if allowed, else the seconds until one would be.

        For limits outside a route dependency (frames on a WebSocket): the same limiter (or one
        with the same `name`) on a route and a socket gives both one budget."""
        resources = connection.state.resources
        config = resources.config
        if not config.RATE_LIMITER_ENABLED:
            return 0
        trusted: Sequence[Network] = config.TRUSTED_PROXIES
        identity = await self.identity(connection, trusted)
        key = f"{config.RATE_LIMITER_PREFIX}:{self._scope_name(connection)}:{identity}"
        limiter, buckets = self._limiter_for(resources.redis)
        try:
            try:
                allowed = await limiter.try_acquire_async(key, blocking=False)
            except NoScriptError:
                buckets.forget_script()
                allowed = await limiter.try_acquire_async(key, blocking=False)
            await buckets.housekeep(key)
            if not allowed:
                return math.ceil(await buckets.retry_after_ms(key) / 1000) or 1
        except (RedisError, OSError) as error:
            self._unavailable(error)
        return 0

    def _too_many(self, retry_after: int) -> TooManyRequests:
        return TooManyRequests(
            f"At most {self.times} requests per {self.seconds} seconds; retry in {retry_after} seconds.",
            headers={
                "Retry-After": str(retry_after),
                "RateLimit-Policy": self.policy,
                "RateLimit": f'"default";r=0;t={retry_after}',
            },
        )

    def _unavailable(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._last_error_logged >= _ERROR_LOG_INTERVAL:
            self._last_error_logged = now
            logger.warning("rate limiter unavailable", fail_closed=self.fail_closed, error=repr(error))
        if self.fail_closed:
            raise ServiceUnavailable(
                "Rate limiting is unavailable; retry shortly.", headers={"Retry-After": "5"}
            ) from error
