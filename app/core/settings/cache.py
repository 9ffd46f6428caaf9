from pydantic import Field
from pydantic_settings import BaseSettings


class CacheSettings(BaseSettings):
    CACHE_ENABLED: bool = True
    # Keys are "<prefix>:<version>:<namespace>:<key>"; bump the version to drop every entry at once.
    CACHE_PREFIX: str = "cache"
    CACHE_VERSION: str = "1"
    CACHE_DEFAULT_TTL: int = Field(default=300, ge=1)
    # While Redis is unreachable the cache is a miss; the failure is logged at most this often.
    CACHE_ERROR_LOG_INTERVAL: float = Field(default=30.0, ge=0)
