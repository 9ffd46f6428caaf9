"""Redis cache with JSON values, namespaced and versioned keys, and graceful degradation."""

from app.core.cache.decorator import (
    activate_cache,
    active_cache,
    cached,
    deactivate_cache,
    invalidate,
    invalidate_namespace,
)
from app.core.cache.service import DEFAULT_NAMESPACE, CacheServiceInterface, RedisCacheService

__all__ = [
    "DEFAULT_NAMESPACE",
    "CacheServiceInterface",
    "RedisCacheService",
    "activate_cache",
    "active_cache",
    "cached",
    "deactivate_cache",
    "invalidate",
    "invalidate_namespace",
]
