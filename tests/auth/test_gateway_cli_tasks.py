"""AuthGateway for other modules, the create-superuser command, and the purge task."""

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import AuthGatewayInterface, Role, UserDTO, auth_gateway
from app.auth.models import ActionToken, SignInSession, User
from app.auth.schemas.payloads import PurgeExpiredPayload
from app.auth.tasks import PurgeExpired
from app.core.config import AppConfig
from app.core.db import FilterOperator, FilterParam, ListParams, UnitOfWork
from app.core.platform import Platform
from app.core.resources import Resources
from tests.factories import UserFactory
from tests.processes import ROOT


async def test_gateway_returns_dtos(db_session: AsyncSession, platform: Platform) -> None:
    ann, bob = (
        await UserFactory.create_async(username="gw-ann"),
        await UserFactory.create_async(username="gw-bob"),
    )
    gateway: AuthGatewayInterface = auth_gateway(platform)
    found = await gateway.get_user(ann.id)
    assert isinstance(found, UserDTO)
    assert (found.id, found.username, found.role) == (ann.id, "gw-ann", Role.USER)
    assert not hasattr(found, "password_hash")
    assert await gateway.get_user(99999999) is None
    assert set(await gateway.get_users([ann.id, bob.id, 99999999])) == {ann.id, bob.id}
    page = await gateway.get_user_list(
        ListParams(filters=[FilterParam(field="username", operator=FilterOperator.LIKE, value="gw-%")])
    )
    assert [user.username for user in page.items] == ["gw-ann", "gw-bob"]
    assert all(isinstance(user, UserDTO) for user in page.items)


@pytest.mark.slow
def test_create_superuser_from_the_cli(app_config: AppConfig) -> None:
    name = f"root{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "SUPERUSER_PASSWORD": "Root-pass-word-9"}
    command = [
        sys.executable,
        "-m",
        "app.cli",
        "create-superuser",
        "--email",
        f"{name}@example.com",
        "--username",
        name,
    ]
    try:
        result = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"created super admin {name}" in result.stdout
        weak = subprocess.run(
            command,
            cwd=ROOT,
            env={**env, "SUPERUSER_PASSWORD": "password"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert weak.returncode != 0
        assert "Root-pass-word-9" not in result.stdout + result.stderr
    finally:
        database = create_engine(app_config.DATABASE_URL)
        with database.begin() as connection:
            connection.execute(delete(User).where(User.username == name))
        database.dispose()


async def test_purge_removes_old_sessions_and_tokens(resources: Resources, db_session: AsyncSession) -> None:
    user = await UserFactory.create_async()
    now = datetime.now(UTC)
    db_session.add_all(
        [
            SignInSession(user_id=user.id, last_used_at=now, expires_at=now - timedelta(days=8)),
            SignInSession(user_id=user.id, last_used_at=now, expires_at=now + timedelta(days=8)),
            ActionToken(
                user_id=user.id,
                kind="password_reset",
                token_hash="a" * 64,
                binding="x",
                expires_at=now - timedelta(days=8),
            ),
            ActionToken(
                user_id=user.id,
                kind="password_reset",
                token_hash="b" * 64,
                binding="x",
                expires_at=now + timedelta(hours=1),
            ),
        ]
    )
    await db_session.commit()
    with freeze_time(now):
        async with UnitOfWork(resources.session_factory) as unit_of_work:
            result = await PurgeExpired(Platform.build(resources, unit_of_work)).run(PurgeExpiredPayload())
    assert result == {"sessions": 1, "tokens": 1}
    assert (
        await db_session.scalar(
            select(func.count()).select_from(SignInSession).where(SignInSession.user_id == user.id)
        )
        == 1
    )
    assert PurgeExpired.schedule(resources.config) == [{"cron": "17 * * * *"}]
