from pydantic_settings import BaseSettings


class RateLimiterSettings(BaseSettings):
    RATE_LIMITER_ENABLED: bool = True
    RATE_LIMITER_PREFIX: str = "ratelimit"
