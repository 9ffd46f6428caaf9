"""pyrate-limiter buckets in Redis, one sorted set per rate-limit key.

pyrate-limiter's single RedisBucket is one bucket for every key (client A would exhaust client
B's limit), so this factory hands out a bucket per key. Buckets are cheap views on a Redis key,
kept in a bounded LRU; instead of pyrate-limiter's background leaker (a thread per process
holding every bucket forever), each key is trimmed and given an expiry at most twice per window,
so idle clients leave nothing behind in Redis or in memory. The buckets run pyrate-limiter's
script with one correction, kept in app.core.limiter.pyrate_adapter.
"""

import time
from collections import OrderedDict

from pyrate_limiter import AbstractBucket, BucketFactory, Rate, RateItem, RedisBucket
from redis.asyncio import Redis

from app.core.limiter.pyrate_adapter import load_script, redis_bucket

MAX_CACHED_BUCKETS = 4096


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class RedisBucketPerKey(BucketFactory):
    def __init__(self, redis: Redis, rate: Rate) -> None:
        self._redis = redis
        self._rate = rate
        self._script_hash: str | None = None
        self._buckets: OrderedDict[str, tuple[RedisBucket, int]] = OrderedDict()

    def wrap_item(self, name: str, weight: int = 1) -> RateItem:
        return RateItem(name, now_ms(), weight=weight)

    async def get(self, item: RateItem) -> AbstractBucket:
        entry = self._buckets.get(item.name)
        if entry is not None:
            self._buckets.move_to_end(item.name)
            return entry[0]
        if self._script_hash is None:
            self._script_hash = await load_script(self._redis)
        bucket = redis_bucket(self._redis, self._rate, item.name, self._script_hash)
        self._buckets[item.name] = (bucket, 0)
        if len(self._buckets) > MAX_CACHED_BUCKETS:
            self._buckets.popitem(last=False)
        return bucket

    def forget_script(self) -> None:
        """After Redis lost its script cache (restart), load the script again."""
        self._script_hash = None
        self._buckets.clear()

    async def housekeep(self, key: str) -> None:
        """Trim entries older than the window and let the key expire once idle for a window."""
        entry = self._buckets.get(key)
        now = now_ms()
        window = self._rate.interval
        if entry is None or now - entry[1] < window // 2:
            return
        self._buckets[key] = (entry[0], now)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zremrangebyscore(key, 0, now - window)
            pipe.pexpire(key, window)
            await pipe.execute()

    async def retry_after_ms(self, key: str) -> int:
        """Time until the oldest request in the window leaves it."""
        now = now_ms()
        oldest = await self._redis.zrangebyscore(
            key, now - self._rate.interval, "+inf", start=0, num=1, withscores=True
        )
        if not oldest:
            return 0
        return max(0, int(oldest[0][1]) + self._rate.interval - now)
