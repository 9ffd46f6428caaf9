"""Adapter for pyrate-limiter: the only code that relies on its internals. The installed library's
are checked by tests/core/limiter/test_pyrate_adapter.py, which fails when they change.

What it relies on:
- `LuaScript.PUT_ITEM` (pyrate_limiter.buckets.redis_bucket, not exported): the script a
  `RedisBucket` runs for every request. The copy here differs in one line (below).
- A `RedisBucket` runs whatever script its `script_hash` names, with the KEYS and ARGV its
  `_check_and_insert` sends: the copy keeps that layout, so the bucket is the library's own.

Why: the library's script counts a window's entries up to the caller's own timestamp (ZCOUNT
from the window's start to `now`). Each API process stamps a request when it arrives, and under
load the requests reach Redis in another order: an entry already admitted with a later stamp was
not counted, and one request too many got through (seen with two API processes and 20 concurrent
logins: 6 of a limit of 5). The copy counts every entry from the window's start on.
"""

from pyrate_limiter import Rate, RedisBucket
from pyrate_limiter.buckets.redis_bucket import LuaScript
from redis.asyncio import Redis

COUNT_TO_NOW = "redis.call('ZCOUNT', bucket, window_start, now)"
COUNT_ALL = "redis.call('ZCOUNT', bucket, window_start, '+inf')"

if COUNT_TO_NOW not in LuaScript.PUT_ITEM:
    raise RuntimeError("pyrate-limiter's PUT_ITEM script changed: review app.core.limiter.pyrate_adapter")
PUT_ITEM = LuaScript.PUT_ITEM.replace(COUNT_TO_NOW, COUNT_ALL)


async def load_script(redis: Redis) -> str:
    """Load the script into Redis (again after a restart emptied its script cache): its hash."""
    return str(await redis.script_load(PUT_ITEM))


def redis_bucket(redis: Redis, rate: Rate, key: str, script_hash: str) -> RedisBucket:
    """pyrate-limiter's Redis bucket on `key`, running the script `load_script` loaded."""
    return RedisBucket([rate], redis, key, script_hash)
