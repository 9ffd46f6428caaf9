"""Alembic environment (async). Models are collected from the installed modules in app.modules.

The URL comes from AppConfig; tests and tools may pass another one with
`config.attributes["database_url"]`.
"""

import asyncio

from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from alembic import context
from app.core.config import get_app_config
from app.core.db import Base
from app.core.log import configure_logging
from app.core.modules import load_models
from app.modules import INSTALLED_MODULES

config = context.config
app_config = get_app_config()
if not config.attributes.get("skip_logging_setup"):
    configure_logging(app_config.LOG_LEVEL, app_config.log_format)

load_models(INSTALLED_MODULES)
target_metadata = Base.metadata


def database_url() -> str:
    url: str = config.attributes.get("database_url") or app_config.DATABASE_URL
    return url


def configure(connection: Connection | None = None, url: str | None = None) -> None:
    context.configure(
        connection=connection,
        url=url,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
        render_as_batch=False,
        transaction_per_migration=True,
    )


def run_migrations_offline() -> None:
    """`alembic upgrade --sql`: emit SQL without connecting."""
    configure(url=database_url())
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection: Connection) -> None:
    configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = create_async_engine(database_url(), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
