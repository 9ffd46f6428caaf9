"""`@cached`: cache what a path operation or a service method returns.

    @router.get("/items/{item_id}")
    @cached(ttl=60, namespace="items", key_builder=lambda item_id, **_: str(item_id))
    async def get_item(item_id: int) -> ItemResponse: ...

The key is built from the call's arguments (by name, so the builder sees `item_id=...`); by
default from all JSON-friendly arguments. Values are stored as JSON and turned back into the
function's declared return type on a hit, so a cached pydantic model comes back as that model.
Invalidate with `await invalidate("items", str(item_id))` or `await invalidate_namespace("items")`.
"""

import functools
import hashlib
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar, get_type_hints

import orjson
from pydantic import TypeAdapter

from app.core.cache.service import DEFAULT_NAMESPACE, CacheServiceInterface

P = ParamSpec("P")
R = TypeVar("R")
KeyBuilder = Callable[..., str]


# The caches of this process's started resources (the app lifespan's, the worker's), most recent
# last: a stack, so several apps in one test process do not clobber each other.
_active: list[CacheServiceInterface] = []


def activate_cache(cache: CacheServiceInterface) -> None:
    _active.append(cache)


def deactivate_cache(cache: CacheServiceInterface) -> None:
    if cache in _active:
        _active.remove(cache)


def active_cache() -> CacheServiceInterface | None:
    """The cache `@cached` uses: the most recently started resources' (None: call through)."""
    return _active[-1] if _active else None


def _default_key(function: Callable[..., Any], arguments: dict[str, Any]) -> str:
    """A stable digest of the JSON-friendly arguments (request objects and services are skipped)."""
    simple = {
        name: value
        for name, value in sorted(arguments.items())
        if name not in ("self", "cls")
        and isinstance(value, str | int | float | bool | None | list | tuple | dict)
    }
    digest = hashlib.sha256(orjson.dumps(simple, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()[:32]
    return f"{function.__module__}.{function.__qualname__}:{digest}"


def cached(
    ttl: int | None = None,
    key_builder: KeyBuilder | None = None,
    *,
    namespace: str = DEFAULT_NAMESPACE,
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    def decorate(function: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        signature = inspect.signature(function)
        return_type = get_type_hints(function).get("return", Any)
        adapter: TypeAdapter[Any] = TypeAdapter(return_type)

        @functools.wraps(function)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            cache = active_cache()
            if cache is None:
                return await function(*args, **kwargs)
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            arguments = dict(bound.arguments)
            key = key_builder(**arguments) if key_builder else _default_key(function, arguments)
            hit = await cache.get(key, namespace=namespace)
            if hit is not None:
                return adapter.validate_python(hit)  # type: ignore[no-any-return]
            value = await function(*args, **kwargs)
            await cache.set(key, adapter.dump_python(value, mode="json"), ttl=ttl, namespace=namespace)
            return value

        return wrapper

    return decorate


async def invalidate(namespace: str, key: str) -> None:
    cache = active_cache()
    if cache is not None:
        await cache.delete(key, namespace=namespace)


async def invalidate_namespace(namespace: str) -> int:
    cache = active_cache()
    return await cache.clear(namespace) if cache is not None else 0
