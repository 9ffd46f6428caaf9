"""Discovery of feature modules by convention, for the composition roots.

A module is a package (`app.auth`) with a `routers` submodule holding its HTTP surface as
`router`, and optionally the submodules `models` (its tables), `listeners` and `tasks` (what it
declares with `@listener` and `@queued`, registered when the module is installed), `config` (its
settings classes) and `lifespan`, whose `lifespan(resources)` the API enters at startup and leaves
at shutdown (per-process machinery such as a WebSocket hub). The router is not part of the
public `__init__`: building every route (dependency graphs, response models) is a third of what
a worker spends importing the modules, and the worker, the scheduler and the CLI never serve
HTTP. Core never imports a module by name: the composition roots pass in the list from
`app.modules`.
"""

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from types import ModuleType
from typing import Any

from fastapi import APIRouter

from app.core.config import AppConfig, BaseConfig, ModuleSettings
from app.core.registry import Registry
from app.core.resources import Resources

# What a module's lifespan yields is added to the lifespan state (`request.state` of every request).
ModuleLifespan = Callable[[Resources], AbstractAsyncContextManager[Mapping[str, Any]]]

# The platform's own tables and tasks come first.
PLATFORM_MODELS = "app.core.models"
PLATFORM_TASKS = "app.core.tasks"
DECLARING_SUBMODULES = ("listeners", "tasks")


def import_submodules(packages: Iterable[str], submodule: str) -> list[ModuleType]:
    """Import `<package>.<submodule>` for every package that has one, and, when it is a package
    itself (`listeners/` split into files), every module under it."""
    imported = []
    for package in packages:
        name = f"{package}.{submodule}"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        imported.append(module)
        for found in pkgutil.walk_packages(getattr(module, "__path__", []), f"{name}."):
            imported.append(importlib.import_module(found.name))
    return imported


def load_models(packages: Sequence[str]) -> None:
    """Import the tables of the platform and of `packages` into the shared metadata."""
    importlib.import_module(PLATFORM_MODELS)
    import_submodules(packages, "models")


def install_modules(packages: Sequence[str]) -> Registry:
    """The registry of the platform's tasks and of every task and listener `packages` declare
    (their models loaded too): what the API, the worker and the CLI of one installation share,
    so whatever the API queues, the worker knows."""
    load_models(packages)
    registry = Registry()
    registry.collect(importlib.import_module(PLATFORM_TASKS))
    for submodule in DECLARING_SUBMODULES:
        for module in import_submodules(packages, submodule):
            registry.collect(module)
    return registry


def module_routers(packages: Iterable[str]) -> list[APIRouter]:
    routers = []
    for package in packages:
        router = getattr(importlib.import_module(f"{package}.routers"), "router", None)
        if not isinstance(router, APIRouter):
            raise TypeError(f"{package}.routers must define an APIRouter named `router`")
        routers.append(router)
    return routers


def module_body_size_limits(
    packages: Iterable[str], settings: ModuleSettings, api_prefix: str
) -> list[tuple[str, int]]:
    """(path regex, bytes) of the routes that accept bodies over MAX_REQUEST_BODY_BYTES: what
    the `body_size_limits(settings)` of each module's `routers` returns, as {regex under the API
    prefix: bytes}, decided by the settings the app installs the module with."""
    limits = []
    for package in packages:
        declare = getattr(importlib.import_module(f"{package}.routers"), "body_size_limits", None)
        if declare is not None:
            limits += [(f"{api_prefix}{path}", size) for path, size in declare(settings).items()]
    return limits


def load_module_settings(
    config: AppConfig, packages: Iterable[str], given: Iterable[BaseConfig] = ()
) -> ModuleSettings:
    """Every installed module's settings, read now (the `given` instances, else the
    environment's) and bound to the app's: a wrong one raises before the process serves."""
    module_settings = ModuleSettings(config, given)
    module_settings.load(module_settings_classes(packages))
    return module_settings


def module_settings_classes(packages: Iterable[str]) -> list[type[BaseConfig]]:
    """The settings classes (BaseConfig subclasses) each package defines in its `config`."""
    classes = []
    for module in import_submodules(packages, "config"):
        classes += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, BaseConfig)
            and value.__module__ == module.__name__
        ]
    return classes


def module_lifespans(packages: Iterable[str]) -> list[ModuleLifespan]:
    """The `lifespan` of every package that has a `lifespan` submodule, in installation order."""
    return [module.lifespan for module in import_submodules(packages, "lifespan")]
