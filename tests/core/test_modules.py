"""Module discovery: the API mounts each module's router; importing modules does not build it."""

import subprocess
import sys

from fastapi import APIRouter

from app.core.modules import module_routers
from app.modules import INSTALLED_MODULES
from tests.processes import ROOT

# What a worker, the scheduler and the CLI do: install every module, and print which routes
# modules got imported along the way.
_LOAD_MODULES = """
import sys
from app.core.modules import install_modules
from app.modules import INSTALLED_MODULES
install_modules(INSTALLED_MODULES)
print(sorted(name for name in sys.modules if name.endswith(".routers") or ".routes." in name))
"""


def test_every_installed_module_has_a_router() -> None:
    routers = module_routers(INSTALLED_MODULES)
    assert len(routers) == len(INSTALLED_MODULES)
    assert all(isinstance(router, APIRouter) and router.routes for router in routers)


def test_loading_the_modules_builds_no_route() -> None:
    command = [sys.executable, "-c", _LOAD_MODULES]
    loaded = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True, timeout=60)
    assert loaded.stdout.strip() == "[]", loaded.stdout
