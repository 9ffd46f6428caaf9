"""Creating and dropping databases (CLI `migrate`, the test harness). Synchronous on purpose:
these run before any event loop or inside `asyncio.to_thread`."""

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


def _maintenance_conninfo(url: str) -> tuple[str, str]:
    parsed = make_url(url)
    if not parsed.database:
        raise ValueError("the database URL names no database")
    maintenance = parsed.set(drivername="postgresql", database="postgres")
    return maintenance.render_as_string(hide_password=False), parsed.database


def ensure_database(url: str) -> bool:
    """Create the database named by `url` if it does not exist. Returns True if it was created."""
    conninfo, name = _maintenance_conninfo(url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def drop_database(url: str) -> None:
    conninfo, name = _maintenance_conninfo(url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
