"""Discovery of feature modules by convention, for the composition roots.

A module is a package (`app.auth`) exposing `router` in its public `__init__`, and optionally the
submodules `models`, `listeners` and `tasks`, imported for their registrations. Core never imports
a module by name: the composition roots pass in the list from `app.modules`.
"""

import importlib
import importlib.util
from collections.abc import Iterable, Sequence
from types import ModuleType

from fastapi import APIRouter

# The platform's own registrations come first.
PLATFORM_SUBMODULES = ("app.core.models", "app.core.tasks")
MODULE_SUBMODULES = ("models", "listeners", "tasks")


def import_submodules(packages: Iterable[str], submodule: str) -> list[ModuleType]:
    """Import `<package>.<submodule>` for every package that has one."""
    imported = []
    for package in packages:
        name = f"{package}.{submodule}"
        if importlib.util.find_spec(name) is not None:
            imported.append(importlib.import_module(name))
    return imported


def load_modules(packages: Sequence[str]) -> None:
    """Import every registration (models, listeners, tasks) of the platform and of `packages`."""
    for name in PLATFORM_SUBMODULES:
        importlib.import_module(name)
    for submodule in MODULE_SUBMODULES:
        import_submodules(packages, submodule)


def module_routers(packages: Iterable[str]) -> list[APIRouter]:
    routers = []
    for package in packages:
        router = getattr(importlib.import_module(package), "router", None)
        if not isinstance(router, APIRouter):
            raise TypeError(f"module {package!r} must expose an APIRouter named `router` in its __init__")
        routers.append(router)
    return routers
