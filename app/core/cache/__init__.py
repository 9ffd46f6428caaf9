"""Redis cache with JSON values, namespaced and versioned keys, and graceful degradation."""

from app.core.cache.decorator import active_cache, cached, invalidate, invalidate_namespace
from app.core.cache.service import DEFAULT_NAMESPACE, CacheServiceInterface, RedisCacheService

__all__ = [
    "DEFAULT_NAMESPACE",
    "CacheServiceInterface",
    "RedisCacheService",
    "active_cache",
    "cached",
    "invalidate",
    "invalidate_namespace",
]
