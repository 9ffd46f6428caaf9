"""How many mention emails may go out: per sender and per recipient, in fixed windows.

The counters live in Redis, so every API process and worker shares them. One script checks both
counters and takes from both, or from neither: a mail refused for its recipient does not use up
its sender's allowance, and the reverse.
"""

from dataclasses import dataclass
from enum import Enum

from redis.asyncio import Redis

from app.core.clock import utcnow

KEY_PREFIX = "chat:mention-mail"

# KEYS: the sender's counter, the recipient's; ARGV: their limits, the window in seconds.
_TAKE = """
if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[1]) then return 0 end
if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[2]) then return 1 end
for _, key in ipairs(KEYS) do
    if redis.call('INCR', key) == 1 then redis.call('EXPIRE', key, ARGV[3]) end
end
return 2
"""


class MentionMail(Enum):
    SENDER_LIMITED = 0
    RECIPIENT_LIMITED = 1
    ALLOWED = 2


@dataclass(frozen=True, slots=True)
class MentionMailLimits:
    redis: Redis
    per_sender: int
    per_recipient: int
    window_seconds: int

    async def take(self, sender_id: int, recipient_id: int) -> MentionMail:
        """Count one mention email from `sender_id` to `recipient_id`, if both are under their limits."""
        window = int(utcnow().timestamp()) // self.window_seconds
        keys = [f"{KEY_PREFIX}:from:{sender_id}:{window}", f"{KEY_PREFIX}:to:{recipient_id}:{window}"]
        args = [self.per_sender, self.per_recipient, self.window_seconds]
        # register_script runs the script by its hash, loading it again if Redis lost it.
        return MentionMail(int(await self.redis.register_script(_TAKE)(keys=keys, args=args)))
