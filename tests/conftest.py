"""Shared fixtures: a real test database and Redis index, per-test isolation, an ASGI client.

- `.test.env` is loaded into the environment before anything imports the app (variables already
  set in the environment win). The database name must end in `_test`.
- The test database is created if missing and migrated with Alembic once per session.
- Each test runs in one connection inside an outer transaction that is rolled back at the end;
  sessions join it with SAVEPOINTs, so code that commits is isolated too.
- Redis DB index from `.test.env` is flushed before each test.
"""

import asyncio
import dataclasses
import io
import os
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from dotenv import dotenv_values

ROOT = Path(__file__).resolve().parent.parent
# Signed-in users of every role, for the tests of any module.
pytest_plugins = ["tests.users"]
for _key, _value in dotenv_values(ROOT / ".test.env").items():
    if _value is not None:
        os.environ.setdefault(_key, _value)

import httpx  # noqa: E402
import pytest  # noqa: E402
from alembic.config import Config as AlembicConfig  # noqa: E402
from asgi_lifespan import LifespanManager  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from redis.asyncio import Redis  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker  # noqa: E402

from alembic import command  # noqa: E402
from app.core.config import AppConfig, BaseConfig, get_app_config  # noqa: E402
from app.core.db import create_engine  # noqa: E402
from app.core.db.admin import ensure_database  # noqa: E402
from app.core.db.direct import DIRECT_READER, DirectReader  # noqa: E402
from app.core.deps import get_session_factory, get_unit_of_work  # noqa: E402
from app.core.log import configure_logging  # noqa: E402
from app.core.mail import MemoryBackend  # noqa: E402
from app.core.platform import Platform, platform_context  # noqa: E402
from app.core.resources import Resources, create_redis, current_resources, pop_current, push_current  # noqa: E402
from app.main import create_app  # noqa: E402
from app.modules import INSTALLED_MODULES  # noqa: E402
from tests import example  # noqa: E402
from tests.factories import bind_factories  # noqa: E402
from tests.logs import capture_logs  # noqa: E402
from tests.overrides import units_of_work_from  # noqa: E402

SettingsT = TypeVar("SettingsT", bound=BaseConfig)


def alembic_config(database_url: str) -> AlembicConfig:
    config = AlembicConfig(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    config.attributes["skip_logging_setup"] = True
    return config


@pytest.fixture(scope="session")
def app_config() -> AppConfig:
    get_app_config.cache_clear()
    config = get_app_config()
    database = make_url(config.DATABASE_URL).database or ""
    if not database.endswith("_test"):
        pytest.exit(f"refusing to run tests against database {database!r}: its name must end in _test")
    return config


@pytest.fixture(scope="session", autouse=True)
def _logging(app_config: AppConfig) -> None:
    """Configured as the app does, also for tests that build no app."""
    configure_logging(app_config.LOG_LEVEL, app_config.log_format)


@pytest.fixture(scope="session")
async def engine(app_config: AppConfig) -> AsyncIterator[AsyncEngine]:
    await asyncio.to_thread(ensure_database, app_config.DATABASE_URL)
    await asyncio.to_thread(command.upgrade, alembic_config(app_config.DATABASE_URL), "head")
    engine = create_engine(app_config)
    async with engine.begin() as connection:
        # The example module's tables are not part of the shipped schema.
        await connection.run_sync(example.ExampleBase.metadata.drop_all)
        await connection.run_sync(example.ExampleBase.metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            await transaction.rollback()


@pytest.fixture
def session_factory(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        bind=connection,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
        autoflush=False,
        # Read-only units of work send their repositories' SELECTs directly, as on the app's read
        # pool, here on the test's connection (inside its transaction).
        info={DIRECT_READER: DirectReader(connection.engine, on_session_connection=True)},
    )


@pytest.fixture
async def db_session(session_factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session, bind_factories(session):
        yield session


@pytest.fixture(scope="session")
async def redis(app_config: AppConfig) -> AsyncIterator[Redis]:
    client = create_redis(app_config)
    yield client
    await client.aclose()


@pytest.fixture(autouse=True)
async def _flush_redis(redis: Redis) -> None:
    await redis.flushdb()


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the application logs during the test, rendered by its real JSON formatter."""
    with capture_logs() as stream:
        yield stream


def build_app(config: AppConfig, settings: Sequence[BaseConfig] = ()) -> FastAPI:
    """The app with the example module installed too."""
    return create_app(config, (*INSTALLED_MODULES, example.__name__), settings)


@pytest.fixture(scope="session")
async def app(app_config: AppConfig, engine: AsyncEngine) -> AsyncIterator[FastAPI]:
    del engine  # the database must be migrated before the app serves
    application = build_app(app_config)
    async with LifespanManager(application) as manager:
        application.state.asgi = manager.app
        application.state.resources = current_resources()
        yield application


@pytest.fixture
def resources(app: FastAPI, session_factory: async_sessionmaker[AsyncSession]) -> Iterator[Resources]:
    """The app's resources bound to the test transaction: requests, and the tasks the in-memory
    broker runs in this process, all see (and roll back) the same data."""
    bound = dataclasses.replace(
        app.state.resources, session_factory=session_factory, read_only_session_factory=session_factory
    )
    app.dependency_overrides[get_session_factory] = lambda: session_factory
    app.dependency_overrides[get_unit_of_work] = units_of_work_from(session_factory)
    push_current(bound)
    yield bound
    pop_current(bound)
    app.dependency_overrides.pop(get_session_factory, None)
    app.dependency_overrides.pop(get_unit_of_work, None)
    mail_backend = bound.mail_backend
    if isinstance(mail_backend, MemoryBackend):
        mail_backend.sent.clear()


@pytest.fixture
async def platform(resources: Resources) -> AsyncIterator[Platform]:
    """A platform on the test's transaction, as a task or a CLI command gets one."""
    async with platform_context(resources) as unit:
        yield unit


def app_settings(settings_class: type[SettingsT]) -> SettingsT:
    """The test app's settings of a module: the instance its platform reads (what a test changes,
    with monkeypatch.setattr, to change the app's behaviour)."""
    return current_resources().settings(settings_class)


def asgi_client(app: FastAPI) -> httpx.AsyncClient:
    # raise_app_exceptions=False: a 500 is asserted as a response, like a real client sees it.
    transport = httpx.ASGITransport(app=app.state.asgi, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def client(app: FastAPI, resources: Resources) -> AsyncIterator[httpx.AsyncClient]:
    del resources
    async with asgi_client(app) as http:
        yield http
