"""Module settings are the app's, not the import's: `create_app(config, settings=[...])` decides
them, and importing the code reads none."""

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from asgi_lifespan import LifespanManager
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth.config import AuthConfig
from app.chat.config import ChatConfig
from app.core.config import AppConfig, BaseConfig
from app.core.deps import get_unit_of_work
from app.core.resources import Resources, current_resources
from app.core.worker import create_worker
from app.modules import INSTALLED_MODULES
from tests.conftest import build_app
from tests.factories import UserFactory
from tests.overrides import units_of_work_from
from tests.processes import ROOT
from tests.users import API, login


@asynccontextmanager
async def app_with(
    config: AppConfig, session_factory: async_sessionmaker[AsyncSession], *settings: BaseConfig
) -> AsyncIterator[httpx.AsyncClient]:
    application = build_app(config, settings=settings)
    application.dependency_overrides[get_unit_of_work] = units_of_work_from(session_factory)
    async with LifespanManager(application) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


async def test_two_apps_in_one_process_use_their_own_module_settings(
    app_config: AppConfig, session_factory: async_sessionmaker[AsyncSession], db_session: AsyncSession
) -> None:
    del db_session  # binds the factories to the test's transaction, which the apps' sessions join
    user = await UserFactory.create_async()
    short_lived = AuthConfig(ACCESS_TOKEN_TTL=60)
    small_uploads = ChatConfig(ATTACHMENT_MAX_BYTES=1024)
    upload = f"{API}/chat/rooms/1/attachments"
    body = b"x" * 200_000  # over the small app's limit (1 KiB + multipart allowance), not the other's
    async with (
        app_with(app_config, session_factory) as default,
        app_with(app_config, session_factory, short_lived, small_uploads) as custom,
    ):
        default_login = (await login(default, user.username)).json()
        custom_login = (await login(custom, user.username)).json()
        assert custom_login["expires_in"] == 60
        assert default_login["expires_in"] == AuthConfig().ACCESS_TOKEN_TTL != 60
        # The body limit is the app's: refused before anything else by one, let through to
        # authentication (401) by the other.
        assert (await custom.post(upload, content=body)).status_code == 413
        assert (await default.post(upload, content=body)).status_code == 401


def test_importing_every_module_reads_no_module_settings() -> None:
    code = (
        "import importlib, pkgutil, app\n"
        "for module in pkgutil.walk_packages(app.__path__, 'app.'):\n"
        "    importlib.import_module(module.name)\n"
    )
    invalid = {
        "AUTH_ACCESS_TOKEN_TTL": "not a number",
        "AUTH_RATE_LIMIT_PER_IP": "0",
        "CHAT_ATTACHMENT_MAX_BYTES": "lots",
        "CHAT_POST_RATE_PER_MINUTE": "-1",
    }
    env = {**os.environ, **invalid, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_a_wrong_module_setting_stops_the_app_when_it_is_built(
    app_config: AppConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAT_POST_RATE_PER_MINUTE", "0")
    with pytest.raises(ValidationError, match="POST_RATE_PER_MINUTE"):
        build_app(app_config)


async def test_the_worker_entry_takes_settings_objects(app_config: AppConfig, resources: Resources) -> None:
    config = app_config.model_copy(update={"QUEUE_BROKER": "memory"})
    worker = create_worker(config, INSTALLED_MODULES, [ChatConfig(POST_RATE_PER_MINUTE=7)])
    worker.broker.is_worker_process = True
    await worker.broker.startup()
    try:
        assert current_resources() is not resources
        assert current_resources().settings(ChatConfig).POST_RATE_PER_MINUTE == 7
        assert current_resources().settings(AuthConfig).ACCESS_TOKEN_TTL == AuthConfig().ACCESS_TOKEN_TTL
    finally:
        await worker.broker.shutdown()
    # The worker's resources are gone with it; the test's are the current ones again.
    assert current_resources() is resources
