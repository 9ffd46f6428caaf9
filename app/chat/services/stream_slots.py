"""A cap on the streamed exports one user has open at once, kept in Redis so every API process
counts the same streams.

Each open stream holds a lease: a member of the user's sorted set, scored with the time it runs
out. A stream renews its lease as it makes progress and removes it when it ends, however it
ends; a lease whose process died with it runs out and stops counting after LEASE_SECONDS.
"""

import secrets

from redis.asyncio import Redis

# Longer than any pause between two batches of a stream whose client is reading at all.
LEASE_SECONDS = 300

# KEYS[1]: the user's leases. ARGV: lease id, cap, lease length (ms). Redis's clock, not the
# processes', so leases from several hosts compare.
_ACQUIRE = """
local now = redis.call('TIME')
local now_ms = now[1] * 1000 + math.floor(now[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
    return 0
end
redis.call('ZADD', KEYS[1], now_ms + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""
_RENEW = """
local now = redis.call('TIME')
local now_ms = now[1] * 1000 + math.floor(now[2] / 1000)
if redis.call('ZADD', KEYS[1], 'XX', 'CH', now_ms + tonumber(ARGV[2]), ARGV[1]) == 1 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
"""


class StreamLease:
    """One open stream's place under the cap."""

    def __init__(self, redis: Redis, key: str, lease_id: str) -> None:
        self._redis = redis
        self._key = key
        self._id = lease_id

    async def renew(self) -> None:
        await self._redis.eval(_RENEW, 1, self._key, self._id, LEASE_SECONDS * 1000)

    async def release(self) -> None:
        await self._redis.zrem(self._key, self._id)


class StreamSlots:
    def __init__(self, redis: Redis, prefix: str, per_user: int) -> None:
        self._redis = redis
        self._prefix = prefix
        self._per_user = per_user

    async def acquire(self, user_id: int) -> StreamLease | None:
        """A lease for one more stream of this user, or None when they have `per_user` open."""
        key, lease_id = f"{self._prefix}:{user_id}", secrets.token_hex(8)
        granted = await self._redis.eval(_ACQUIRE, 1, key, lease_id, self._per_user, LEASE_SECONDS * 1000)
        return StreamLease(self._redis, key, lease_id) if granted else None
