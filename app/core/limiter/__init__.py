"""Rate limiting on Redis, built on pyrate-limiter."""

from app.core.limiter.dependency import ConfigurableRateLimiter
from app.core.limiter.from_settings import SettingsRateLimiter
from app.core.limiter.identity import by_ip, by_user, client_address

__all__ = ["ConfigurableRateLimiter", "SettingsRateLimiter", "by_ip", "by_user", "client_address"]
