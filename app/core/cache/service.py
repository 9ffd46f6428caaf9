"""CacheService: JSON values in Redis under namespaced, versioned keys.

Values are serialized with orjson (never pickle: a cache must not be a code-execution channel).
Redis being unreachable is not an error for callers: reads are misses, writes are skipped, and the
failure is logged at most once per interval.
"""

import time
from abc import ABC, abstractmethod
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.core.log import logger

DEFAULT_NAMESPACE = "default"
_SCAN_BATCH = 500


class CacheServiceInterface(ABC):
    @abstractmethod
    async def get(self, key: str, *, namespace: str = DEFAULT_NAMESPACE) -> Any | None:
        """The cached value, or None on a miss."""

    @abstractmethod
    async def set(
        self, key: str, value: Any, *, ttl: int | None = None, namespace: str = DEFAULT_NAMESPACE
    ) -> None:
        """Store a JSON-serializable value for `ttl` seconds (the configured default if None)."""

    @abstractmethod
    async def delete(self, key: str, *, namespace: str = DEFAULT_NAMESPACE) -> None: ...

    @abstractmethod
    async def exists(self, key: str, *, namespace: str = DEFAULT_NAMESPACE) -> bool: ...

    @abstractmethod
    async def ttl(self, key: str, *, namespace: str = DEFAULT_NAMESPACE) -> int | None:
        """Seconds left before the key expires, or None if it does not exist."""

    @abstractmethod
    async def clear(self, namespace: str = DEFAULT_NAMESPACE) -> int:
        """Delete every key of `namespace`; returns how many were deleted."""


class RedisCacheService(CacheServiceInterface):
    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str,
        version: str,
        default_ttl: int,
        enabled: bool = True,
        error_log_interval: float = 30.0,
    ) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:{version}"
        self._default_ttl = default_ttl
        self._enabled = enabled
        self._error_log_interval = error_log_interval
        self._last_error_logged = -float("inf")

    def full_key(self, key: str, namespace: str = DEFAULT_NAMESPACE) -> str:
        return f"{self._prefix}:{namespace}:{key}"

    def _degraded(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - self._last_error_logged >= self._error_log_interval:
            self._last_error_logged = now
            logger.warning("cache unavailable, degrading to misses", operation=operation, error=repr(error))

    async def get(self, key: str, *, namespace: str = DEFAULT_NAMESPACE) -> Any | None:
        if not self._enabled:
            return None
        try:
            raw = await self._redis.get(self.full_key(key, namespace))
        except (RedisError, OSError) as error:
            self._degraded("get", error)
            return None
        return None if raw is None else orjson.loads(raw)

    async def set(
        self, key: str, value: Any, *, ttl: int | None = None, namespace: str = DEFAULT_NAMESPACE
    ) -> None:
        if not self._enabled:
            return
        payload = orjson.dumps(value)
        try:
            await self._redis.set(self.full_key(key, namespace), payload, ex=ttl or self._default_ttl)
        except (RedisError, OSError) as error:
            self._degraded("set", error)

    async def delete(self, key: str, *, namespace: str = DEFAULT_NAMESPACE) -> None:
        try:
            await self._redis.delete(self.full_key(key, namespace))
        except (RedisError, OSError) as error:
            self._degraded("delete", error)

    async def exists(self, key: str, *, namespace: str = DEFAULT_NAMESPACE) -> bool:
        try:
            return bool(await self._redis.exists(self.full_key(key, namespace)))
        except (RedisError, OSError) as error:
            self._degraded("exists", error)
            return False

    async def ttl(self, key: str, *, namespace: str = DEFAULT_NAMESPACE) -> int | None:
        try:
            remaining = int(await self._redis.ttl(self.full_key(key, namespace)))
        except (RedisError, OSError) as error:
            self._degraded("ttl", error)
            return None
        return None if remaining == -2 else remaining

    async def clear(self, namespace: str = DEFAULT_NAMESPACE) -> int:
        pattern = self.full_key("*", namespace)
        deleted = 0
        try:
            batch: list[bytes] = []
            async for key in self._redis.scan_iter(match=pattern, count=_SCAN_BATCH):
                batch.append(key)
                if len(batch) >= _SCAN_BATCH:
                    deleted += int(await self._redis.unlink(*batch))
                    batch.clear()
            if batch:
                deleted += int(await self._redis.unlink(*batch))
        except (RedisError, OSError) as error:
            self._degraded("clear", error)
        return deleted
