"""pyrate-limiter buckets in Redis, one sorted set per rate-limit key.

pyrate-limiter's single RedisBucket is one bucket for every key (client A would exhaust client
B's limit), so this factory hands out a bucket per key. Buckets are cheap views on a Redis key,
kept in a bounded LRU; instead of pyrate-limiter's background leaker (a thread per process
holding every bucket forever), each key is trimmed and given an expiry at most twice per window,
so idle clients leave nothing behind in Redis or in memory.
"""

import time
from collections import OrderedDict

from pyrate_limiter import AbstractBucket, BucketFactory, Rate, RateItem, RedisBucket
from pyrate_limiter.buckets.redis_bucket import LuaScript
from redis.asyncio import Redis

MAX_CACHED_BUCKETS = 4096

# pyrate-limiter's script counts a window's entries up to the caller's own timestamp (ZCOUNT from
# the window's start to `now`). Each API process stamps a request when it arrives, and under load
# the requests reach Redis in another order: an entry already admitted with a later stamp was not
# counted, and one request too many got through (seen with two API processes and 20 concurrent
# logins: 6 of a limit of 5). Every entry from the window's start on counts here.
_COUNT_TO_NOW = "redis.call('ZCOUNT', bucket, window_start, now)"
if _COUNT_TO_NOW not in LuaScript.PUT_ITEM:
    raise RuntimeError("pyrate-limiter's PUT_ITEM script changed: review RedisBucketPerKey's copy of it")
PUT_ITEM = LuaScript.PUT_ITEM.replace(_COUNT_TO_NOW, "redis.call('ZCOUNT', bucket, window_start, '+inf')")


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
            self._script_hash = str(await self._redis.script_load(PUT_ITEM))
        bucket = RedisBucket([self._rate], self._redis, item.name, self._script_hash)
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
