"""A rate limit whose rate the app's module settings decide, read per app when a request comes,
never at import::

    posting_limit = SettingsRateLimiter(lambda settings: settings.get(ChatConfig).POST_RATE_PER_MINUTE, 60)

Used like `ConfigurableRateLimiter` (`Depends(posting_limit)`, `await posting_limit.hit(websocket)`),
with the same options; two apps of one process with different settings count at their own rates.
"""

from collections.abc import Callable
from typing import Any

from starlette.requests import HTTPConnection, Request

from app.core.config import ModuleSettings
from app.core.limiter.dependency import ConfigurableRateLimiter


class SettingsRateLimiter:
    def __init__(self, times: Callable[[ModuleSettings], int], seconds: int, **options: Any) -> None:
        self._times = times
        self._seconds = seconds
        self._options = options
        # One limiter per rate in use (apps with the same settings share it, and its counters).
        self._limiters: dict[int, ConfigurableRateLimiter] = {}

    def limiter(self, connection: HTTPConnection) -> ConfigurableRateLimiter:
        times = self._times(connection.state.resources.module_settings)
        limiter = self._limiters.get(times)
        if limiter is None:
            limiter = self._limiters[times] = ConfigurableRateLimiter(times, self._seconds, **self._options)
        return limiter

    async def __call__(self, request: Request) -> None:
        await self.limiter(request)(request)

    async def hit(self, connection: HTTPConnection) -> int:
        """As `ConfigurableRateLimiter.hit`: 0 if allowed, else the seconds until one would be."""
        return await self.limiter(connection).hit(connection)
