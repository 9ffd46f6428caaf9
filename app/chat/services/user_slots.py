"""A cap on what one user holds open at once (sockets, streamed exports), counted in Redis so
every API process counts the same.

Each open thing holds a lease: a member of the user's sorted set, scored with the time it runs
out. Its holder renews the lease while it lives and removes it when it ends, however it ends; the
lease of a process that died without saying so runs out, and stops counting, after its length.
"""

import secrets

from redis.asyncio import Redis

# KEYS[1]: the user's leases. ARGV: lease id, cap, lease length (ms). Redis's clock, not the
# processes', so leases taken on several hosts compare. Atomic: two processes admitting at once
# cannot both take the last place.
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
# A lease that ran out meanwhile is not taken again (XX): its place may be someone else's now.
_RENEW = """
local now = redis.call('TIME')
local now_ms = now[1] * 1000 + math.floor(now[2] / 1000)
if redis.call('ZADD', KEYS[1], 'XX', 'CH', now_ms + tonumber(ARGV[2]), ARGV[1]) == 1 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
"""


class Lease:
    """One open thing's place under the cap."""

    def __init__(self, redis: Redis, key: str, lease_id: str, lease_ms: int) -> None:
        self._redis = redis
        self._key = key
        self._id = lease_id
        self._lease_ms = lease_ms

    async def renew(self) -> None:
        await self._redis.eval(_RENEW, 1, self._key, self._id, self._lease_ms)

    async def release(self) -> None:
        await self._redis.zrem(self._key, self._id)


class UserSlots:
    def __init__(self, redis: Redis, prefix: str, per_user: int, lease_seconds: float) -> None:
        self._redis = redis
        self._prefix = prefix
        self._per_user = per_user
        self._lease_ms = int(lease_seconds * 1000)

    async def acquire(self, user_id: int) -> Lease | None:
        """A lease for one more of this user's, or None when they hold `per_user` already."""
        key, lease_id = f"{self._prefix}:{user_id}", secrets.token_hex(8)
        granted = await self._redis.eval(_ACQUIRE, 1, key, lease_id, self._per_user, self._lease_ms)
        return Lease(self._redis, key, lease_id, self._lease_ms) if granted else None
