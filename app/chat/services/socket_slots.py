"""A cap on each user's open sockets, counted across every API process.

Each open socket holds a slot: a member of the user's sorted set in Redis, scored with the time
its lease ends. The socket's heartbeat renews the lease and a closing socket gives the slot
back; the slots of a process that died without closing its sockets expire with their leases, so
a crash locks a user out for one lease at most.
"""

import time
import uuid

from redis.asyncio import Redis

# Drop expired slots, then take one if the user is under the cap (atomic, so two processes
# admitting at once cannot both take the last slot).
_ACQUIRE = """
local key = KEYS[1]
local now, lease_end, cap, slot, lease_ms = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
if redis.call('ZCARD', key) >= cap then
    return 0
end
redis.call('ZADD', key, lease_end, slot)
redis.call('PEXPIRE', key, lease_ms)
return 1
"""


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class SocketSlots:
    def __init__(self, redis: Redis, key_prefix: str, cap: int, lease_seconds: float) -> None:
        self._redis = redis
        self._prefix = key_prefix
        self._cap = cap
        self._lease_ms = int(lease_seconds * 1000)
        self._acquire = redis.register_script(_ACQUIRE)

    def _key(self, user_id: int) -> str:
        return f"{self._prefix}:{user_id}"

    async def acquire(self, user_id: int) -> str | None:
        """A slot for one more socket of the user, or None if they have `cap` open already."""
        slot, now = uuid.uuid4().hex, _now_ms()
        taken = await self._acquire(
            keys=[self._key(user_id)], args=[now, now + self._lease_ms, self._cap, slot, self._lease_ms]
        )
        return slot if taken else None

    async def renew(self, user_id: int, slot: str) -> None:
        """Extend the lease (of a slot still held: one that expired meanwhile is not taken again)."""
        key = self._key(user_id)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zadd(key, {slot: _now_ms() + self._lease_ms}, xx=True)
            pipe.pexpire(key, self._lease_ms)
            await pipe.execute()

    async def release(self, user_id: int, slot: str) -> None:
        await self._redis.zrem(self._key(user_id), slot)
