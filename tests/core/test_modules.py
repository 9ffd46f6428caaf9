"""Module discovery: the API mounts each module's router, importing modules does not build it;
installing a module, not importing it, registers its tasks and listeners."""

import dataclasses
import subprocess
import sys

import pytest
from fastapi import APIRouter

from app.auth import UserDeleted
from app.core.modules import install_modules, module_routers
from app.core.platform import platform_context
from app.core.resources import Resources
from app.modules import INSTALLED_MODULES
from tests.example.tasks import NoopPayload
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


def test_installing_a_module_registers_its_tasks_and_listeners_importing_does_not() -> None:
    import app.auth.tasks  # noqa: F401, PLC0415 - imported before any installation below

    chat_only = install_modules(["app.chat"])
    everything = install_modules(INSTALLED_MODULES)
    assert "auth.send_password_reset" not in chat_only.tasks
    assert "auth.send_password_reset" in everything.tasks
    assert "chat.build_export" in chat_only.tasks
    # The platform's own tasks come with every installation.
    assert {"outbox.relay", "mail.send", "events.deliver"} <= set(chat_only.tasks)
    assert chat_only.durable_listener_names(UserDeleted.event_name()) == [
        "app.chat.listeners.forget_deleted_user"
    ]
    assert install_modules(["app.auth"]).durable_listener_names(UserDeleted.event_name()) == []


async def test_an_app_queues_only_the_tasks_of_the_modules_it_installed(resources: Resources) -> None:
    without_example = install_modules(INSTALLED_MODULES)
    own = dataclasses.replace(resources, registry=without_example)
    async with platform_context(own) as platform:
        with pytest.raises(LookupError, match=r"example\.noop"):
            await platform.queue.push(NoopPayload(run="refused"))
    async with platform_context(resources) as platform:
        assert await platform.queue.push(NoopPayload(run="accepted")) > 0
