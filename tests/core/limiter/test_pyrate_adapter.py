"""The pyrate-limiter adapter (app.core.limiter.pyrate_adapter) against the installed library and a
real Redis: these fail when pyrate-limiter changes an internal the adapter relies on, or fixes
what the adapter corrects (then the adapter can go)."""

import hashlib
import inspect
import uuid
from collections.abc import Awaitable
from typing import cast

from pyrate_limiter import Duration, Rate, RateItem, RedisBucket
from pyrate_limiter.buckets.redis_bucket import LuaScript
from redis.asyncio import Redis

from app.core.limiter.buckets import now_ms
from app.core.limiter.pyrate_adapter import PUT_ITEM, load_script, redis_bucket

# Reviewed with pyrate-limiter 4.5.1: the script, and the KEYS/ARGV the bucket sends it.
PUT_ITEM_SHA256 = "5b612e645b86ebfea09515b4dd08efa57a6ee29822050c04727637484f22d53e"
CHECK_AND_INSERT_SHA256 = "e5cd37184c21dc75dc3be229095b3d33d855880547dd65e4dcfe43512f0a0754"
ONE_PER_MINUTE = Rate(1, Duration.SECOND * 60)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_copied_script_and_its_caller_are_still_the_librarys() -> None:
    assert sha256(LuaScript.PUT_ITEM) == PUT_ITEM_SHA256
    assert sha256(inspect.getsource(RedisBucket._check_and_insert)) == CHECK_AND_INSERT_SHA256
    assert list(inspect.signature(RedisBucket).parameters) == [
        "rates",
        "redis",
        "bucket_key",
        "script_hash",
        "algorithm",
    ]


async def put_out_of_order(bucket: RedisBucket, key: str) -> tuple[bool, bool]:
    """Two requests with a limit of one: the one stamped later reaches Redis first (two processes,
    two clocks). Whether each was admitted."""
    now = now_ms()
    # pyrate-limiter types put() for sync and async buckets alike; a Redis bucket's is async.
    later = await cast(Awaitable[bool], bucket.put(RateItem(key, now + 50)))
    earlier = await cast(Awaitable[bool], bucket.put(RateItem(key, now)))
    return later, earlier


async def test_an_entry_stamped_later_but_stored_first_counts(redis: Redis) -> None:
    key = f"limit-order-{uuid.uuid4().hex}"
    script_hash = await load_script(redis)
    assert script_hash == hashlib.sha1(PUT_ITEM.encode()).hexdigest()  # Redis names a script by its SHA-1
    bucket = redis_bucket(redis, ONE_PER_MINUTE, key, script_hash)
    assert await put_out_of_order(bucket, key) == (True, False)


async def test_the_librarys_own_script_still_admits_it(redis: Redis) -> None:
    # The reason for the adapter: when this fails, pyrate-limiter counts it too, and the adapter can go.
    key = f"limit-order-{uuid.uuid4().hex}"
    bucket = await cast(Awaitable[RedisBucket], RedisBucket.init([ONE_PER_MINUTE], redis, key))
    assert await put_out_of_order(bucket, key) == (True, True)
