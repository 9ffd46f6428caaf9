"""The application under the fuzzer: its own migrated database and Redis index, real commits, rate
limits off, and two signed-in identities (a user and an admin).

The fuzzer may log its own identities out, deactivate or demote them (the admin's operations take
any user id): after every successful call that can do that, the identities are put back and
signed in again, so the rest of the run is not all 401s.

Settings (environment): FUZZ_EXAMPLES (examples per operation; 8 in the suite, `make fuzz` runs
more), FUZZ_SEED (fixed in the suite; `make fuzz` draws a new one unless given), FUZZ_COVERAGE
(1: also run the coverage phase, as `make fuzz` does).
"""

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from schemathesis.python import asgi
from sqlalchemy import Engine, create_engine, delete, insert, text, update
from sqlalchemy.engine import make_url

from alembic import command
from app.auth.config import AuthConfig
from app.auth.models import Role, User
from app.core.config import AppConfig, get_app_config
from app.core.db.admin import drop_database, ensure_database
from app.main import create_app
from tests.conftest import alembic_config

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
FUZZ_SEED = int(os.environ.get("FUZZ_SEED", "20261123"))
# `make fuzz` also runs the coverage phase (boundary values of every parameter): two thirds of
# the suite's fuzzing time, for the same checks.
FUZZ_COVERAGE = os.environ.get("FUZZ_COVERAGE", "") == "1"
PASSWORD = "Fuzz-identity-pass-1"
ROLES = (Role.USER, Role.ADMIN)
# Successful calls under these paths (other than GET) may end or change a fuzzing identity.
IDENTITY_CHANGING_PATHS = ("/api/v1/auth/logout", "/api/v1/profile", "/api/v1/admin/users")


def fuzz_config() -> AppConfig:
    """The test settings, pointed at a scratch database and a Redis index of the fuzzer's own."""
    config = get_app_config()
    url = make_url(config.DATABASE_URL)
    return config.model_copy(
        update={
            "DATABASE_URL": url.set(database=f"{url.database}_fuzz").render_as_string(hide_password=False),
            "REDIS_URL": config.REDIS_URL.rsplit("/", 1)[0] + "/14",
            "RATE_LIMITER_ENABLED": False,
            "CACHE_PREFIX": "cache-fuzz",
            "LOG_LEVEL": "CRITICAL",
        }
    )


@functools.cache
def fuzz_app() -> FastAPI:
    """Built when the test module loads the schema; it touches no service until its first request."""
    return create_app(fuzz_config())


def _identity_rows() -> list[dict[str, object]]:
    auth = AuthConfig()
    hasher = Argon2Hasher(auth.ARGON2_TIME_COST, auth.ARGON2_MEMORY_COST, auth.ARGON2_PARALLELISM)
    hashed = PasswordHash((hasher,)).hash(PASSWORD)
    return [
        {
            "email": f"fuzz-{role.value}@example.com",
            "username": f"fuzz-{role.value}",
            "password_hash": hashed,
            "role": role.value,
            "is_active": True,
            "token_version": 0,
        }
        for role in ROLES
    ]


@dataclass
class FuzzTarget:
    app: FastAPI
    config: AppConfig
    engine: Engine
    tokens: dict[Role, str] = field(default_factory=dict)
    user_ids: dict[Role, int] = field(default_factory=dict)

    def headers(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def restore_identities(self) -> None:
        """Recreate both accounts as they started (active, original role and password) and sign
        them in again, through the application the fuzzer is calling."""
        with self.engine.begin() as connection:
            for role, row in zip(ROLES, _identity_rows(), strict=True):
                if role in self.user_ids:
                    # Updated in place: soft deletion and anonymisation keep the row.
                    where = User.id == self.user_ids[role]
                    connection.execute(update(User).where(where).values(**row, deleted_at=None))
                else:
                    created = connection.execute(insert(User).values(**row).returning(User.id))
                    self.user_ids[role] = created.scalar_one()
        # schemathesis types an ASGI app's scope as dict, Starlette as MutableMapping: the same app.
        with asgi.get_client(self.app) as client:  # type: ignore[arg-type]
            for role in ROLES:
                response = client.post(
                    f"http://{asgi.HOST}{self.config.API_PREFIX}/auth/login",
                    data={"username": f"fuzz-{role.value}", "password": PASSWORD},
                )
                assert response.status_code == 200, response.text
                self.tokens[role] = response.json()["access_token"]

    def reset_data(self) -> None:
        """Empty every table but the two identities (and the migration version), then restore and
        sign them in: a stateful scenario starts from the same data each time, so Hypothesis,
        replaying one, sees the same responses."""
        with self.engine.begin() as connection:
            tables = connection.scalars(
                text(
                    "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename NOT IN ('alembic_version', 'auth_user')"
                )
            ).all()
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            connection.execute(delete(User).where(User.id.not_in(self.user_ids.values())))
        self.restore_identities()

    def after_call(self, method: str, path: str, status_code: int) -> None:
        if method != "GET" and status_code < 300 and path.startswith(IDENTITY_CHANGING_PATHS):
            self.restore_identities()


@pytest.fixture(scope="session")
def fuzz_target() -> Iterator[FuzzTarget]:
    """Migrates the scratch database before the first request. The app's lifespan is started by
    Schemathesis on that request and shut down at the end."""
    app = fuzz_app()
    config = fuzz_config()
    drop_database(config.DATABASE_URL)
    ensure_database(config.DATABASE_URL)
    command.upgrade(alembic_config(config.DATABASE_URL), "head")
    engine = create_engine(make_url(config.DATABASE_URL))
    target = FuzzTarget(app, config, engine)
    target.restore_identities()
    yield target
    asgi.shutdown_lifespans()
    engine.dispose()
    drop_database(config.DATABASE_URL)
