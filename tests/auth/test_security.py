"""Cross-cutting security checks: concurrency, secrets in responses and logs, rate limits."""

import asyncio
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.auth.models import User
from app.core.config import AppConfig
from app.core.mail import MemoryBackend
from tests.conftest import build_app
from tests.factories import PASSWORD
from tests.logs import records
from tests.users import API, CreateUser, link_token, login


@asynccontextmanager
async def real_api(config: AppConfig) -> AsyncIterator[httpx.AsyncClient]:
    """The API with real transactions, for what needs several connections at once."""
    application = build_app(config)
    async with LifespanManager(application) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@pytest.fixture
async def committed_user(engine: AsyncEngine) -> AsyncIterator[dict[str, Any]]:
    credentials = {"email": "racer@example.com", "username": "racer", "password": "Racing-pass-word-1"}
    yield credentials
    async with engine.begin() as connection:
        await connection.execute(delete(User).where(User.username == "racer"))


async def test_concurrent_refreshes_with_one_token_exactly_one_succeeds(
    app_config: AppConfig, committed_user: dict[str, Any]
) -> None:
    async with real_api(app_config) as client:
        assert (await client.post(f"{API}/auth/register", json=committed_user)).status_code == 201
        token = (await login(client, "racer", committed_user["password"])).json()["refresh_token"]
        responses = await asyncio.gather(
            *(client.post(f"{API}/auth/refresh-token", json={"refresh_token": token}) for _ in range(5))
        )
    assert sorted(response.status_code for response in responses) == [200, 401, 401, 401, 401]


async def test_no_secret_in_responses_or_logs(
    client: httpx.AsyncClient, outbox_mail: MemoryBackend, log_lines: io.StringIO, db_session: AsyncSession
) -> None:
    secrets = {"Signup-pass-word-1", "Reset-pass-word-22"}
    registered = await client.post(
        f"{API}/auth/register",
        json={"email": "quiet@example.com", "username": "quiet", "password": "Signup-pass-word-1"},
    )
    tokens = (await login(client, "quiet", "Signup-pass-word-1")).json()
    secrets |= {tokens["refresh_token"]}
    await client.post(f"{API}/auth/restore-password", json={"email": "quiet@example.com"})
    reset_token = link_token(outbox_mail, "quiet@example.com", "https://app.example/reset-password")
    secrets.add(reset_token)
    reset = await client.post(
        f"{API}/auth/reset-password", json={"token": reset_token, "new_password": "Reset-pass-word-22"}
    )
    assert reset.status_code == 204
    bad = await client.post(
        f"{API}/auth/reset-password", json={"token": reset_token, "new_password": "short"}
    )
    refreshed = await client.post(
        f"{API}/auth/refresh-token", json={"refresh_token": tokens["refresh_token"]}
    )

    logged = log_lines.getvalue()
    for response in (registered, bad, refreshed):
        assert not any(secret in response.text for secret in secrets)
    assert "argon2" not in registered.text
    for secret in secrets:
        assert secret not in logged, secret
    assert records(log_lines), "nothing was logged: the check above proves nothing"
    del db_session


async def test_credential_endpoints_are_rate_limited_per_account(
    app_config: AppConfig, db_session: AsyncSession
) -> None:
    config = app_config.model_copy(update={"RATE_LIMITER_ENABLED": True})
    application = build_app(config)
    async with LifespanManager(application) as manager:
        peers = [httpx.ASGITransport(app=manager.app, client=(f"10.9.0.{n}", 5000)) for n in range(1, 8)]
        statuses = []
        for transport in peers:  # a different address each time: only the per-account limit applies
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                response = await login(client, "target-account", "Wrong-password-1")
                statuses.append(response.status_code)
                if response.status_code == 429:
                    assert response.headers["retry-after"]
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429, 429]
    del db_session


async def test_the_login_limit_counts_an_account_once_whether_named_by_username_or_email(
    app_config: AppConfig, committed_users: CreateUser
) -> None:
    user = await committed_users()
    config = app_config.model_copy(update={"RATE_LIMITER_ENABLED": True})
    async with LifespanManager(build_app(config)) as manager:
        statuses = []
        for attempt, name in enumerate([user.username, user.email.upper()] * 3):
            # A different address each time: only the per-account limit applies.
            transport = httpx.ASGITransport(app=manager.app, client=(f"10.9.1.{attempt}", 5000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                password = PASSWORD if attempt == 5 else "Wrong-password-1"
                statuses.append((await login(client, name, password)).status_code)
    assert statuses == [401] * 5 + [429]


async def test_the_sixth_password_check_in_a_minute_is_refused_even_with_the_right_password(
    app_config: AppConfig, committed_users: CreateUser
) -> None:
    user = await committed_users()
    wrong, new = "Wrong-password-1", "Brand-new-password-99"
    async with real_api(app_config.model_copy(update={"RATE_LIMITER_ENABLED": True})) as client:
        headers = {"Authorization": f"Bearer {(await login(client, user.username)).json()['access_token']}"}
        change = {"current_password": wrong, "new_password": new}
        move = {"email": "elsewhere@example.com", "current_password": wrong}
        failures = [
            *[await client.post(f"{API}/profile/password", json=change, headers=headers) for _ in range(3)],
            *[await client.patch(f"{API}/profile", json=move, headers=headers) for _ in range(2)],
        ]
        assert [response.status_code for response in failures] == [401] * 5
        refused = await client.request(
            "DELETE", f"{API}/profile", json={"password": PASSWORD}, headers=headers
        )
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert 0 < int(refused.headers["retry-after"]) <= 60
        # What checks no password is not limited by it.
        renamed = await client.patch(
            f"{API}/profile", json={"username": f"{user.username}x"}, headers=headers
        )
        assert renamed.status_code == 200
