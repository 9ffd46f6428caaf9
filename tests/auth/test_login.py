"""POST /auth/login and what an access token is and is not."""

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from freezegun import freeze_time
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.config import AuthConfig
from app.auth.repositories.user import UserRepository
from tests.conftest import app_settings
from tests.factories import PASSWORD, UserFactory
from tests.users import API, login

PROFILE = f"{API}/profile"


async def test_login_by_username_or_email(client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    user = await UserFactory.create_async(username="ann", email="ann@example.com")
    for name in ("ann", "ANN@example.com ", " Ann"):
        response = await login(client, name)
        assert response.status_code == 200, (name, response.text)
        body = response.json()
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == app_settings(AuthConfig).ACCESS_TOKEN_TTL
        assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
        me = await client.get(PROFILE, headers={"Authorization": f"Bearer {body['access_token']}"})
        assert me.json()["id"] == user.id
    del db_session


async def test_failures_are_indistinguishable(client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    await UserFactory.create_async(username="ann")
    await UserFactory.create_async(username="inactive", is_active=False)
    await UserFactory.create_async(username="gone", deleted_at=datetime.now(UTC))
    responses = [
        await login(client, "nobody"),
        await login(client, "ann", "Wrong-password-123"),
        await login(client, "inactive"),
        await login(client, "gone"),
    ]
    assert {response.status_code for response in responses} == {401}
    bodies = [
        {k: v for k, v in response.json().items() if k not in ("request_id",)} for response in responses
    ]
    assert all(body == bodies[0] for body in bodies)
    assert {response.headers["www-authenticate"] for response in responses} == {"Bearer"}
    del db_session


async def test_outdated_hash_is_upgraded_at_login(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    older = PasswordHash((Argon2Hasher(time_cost=2, memory_cost=2048, parallelism=1),))
    user = await UserFactory.create_async(username="legacy", password_hash=older.hash(PASSWORD))
    assert "m=2048,t=2" in user.password_hash
    assert (await login(client, "legacy")).status_code == 200
    db_session.expunge_all()
    upgraded = await UserRepository(db_session).get(user.id)
    assert upgraded is not None
    config = app_settings(AuthConfig)
    assert f"m={config.ARGON2_MEMORY_COST},t={config.ARGON2_TIME_COST}" in upgraded.password_hash
    assert (await login(client, "legacy")).status_code == 200


async def test_missing_bearer_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get(PROFILE)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "not_authenticated"


def _forge(claims: dict[str, object], secret: str | None = None, algorithm: str = "HS256") -> str:
    config = app_settings(AuthConfig)
    base = {"aud": config.JWT_AUDIENCE, "iss": config.JWT_ISSUER, "typ": "access", "sid": 1, "ver": 0}
    now = datetime.now(UTC)
    payload = {**base, "iat": now, "exp": now + timedelta(minutes=5), **claims}
    return jwt.encode(payload, secret or config.jwt_secret, algorithm=algorithm)


def _alg_none(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    config = app_settings(AuthConfig)
    payload = {
        "sub": claims["sub"],
        "aud": config.JWT_AUDIENCE,
        "iss": config.JWT_ISSUER,
        "typ": "access",
        "sid": 1,
        "ver": 0,
        "iat": 1,
        "exp": 4_000_000_000,
    }
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


@pytest.mark.parametrize(
    "make_token",
    [
        lambda user_id: "not-a-jwt",
        lambda user_id: _alg_none({"sub": str(user_id)}),
        lambda user_id: _forge({"sub": str(user_id)}, secret="another-secret-of-at-least-32-bytes!!"),
        lambda user_id: _forge({"sub": str(user_id), "typ": "refresh"}),
        lambda user_id: _forge({"sub": str(user_id), "aud": "someone-else"}),
        lambda user_id: _forge({"sub": str(user_id), "iss": "someone-else"}),
        lambda user_id: _forge({"sub": str(user_id), "exp": datetime.now(UTC) - timedelta(seconds=1)}),
        lambda user_id: _forge({"sub": user_id}),  # sub must be a string
        lambda user_id: _forge({"sub": str(user_id), "ver": 1}),  # a version the user never had
        lambda user_id: _forge({"sub": "999999"}),  # no such user
    ],
)
async def test_bad_tokens_are_401_invalid_token(
    client: httpx.AsyncClient, db_session: AsyncSession, make_token: Callable[[int], str]
) -> None:
    user = await UserFactory.create_async()
    response = await client.get(PROFILE, headers={"Authorization": f"Bearer {make_token(user.id)}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    del db_session


async def test_tampered_token_is_401(client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    user = await UserFactory.create_async()
    token = (await login(client, user.username)).json()["access_token"]
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = str(user.id + 1)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    response = await client.get(PROFILE, headers={"Authorization": f"Bearer {header}.{forged}.{signature}"})
    assert response.status_code == 401


async def test_access_token_expires(client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    user = await UserFactory.create_async()
    token = (await login(client, user.username)).json()["access_token"]
    ttl = app_settings(AuthConfig).ACCESS_TOKEN_TTL
    with freeze_time(datetime.now(UTC) + timedelta(seconds=ttl - 5)):
        assert (await client.get(PROFILE, headers={"Authorization": f"Bearer {token}"})).status_code == 200
    with freeze_time(datetime.now(UTC) + timedelta(seconds=ttl + 5)):
        assert (await client.get(PROFILE, headers={"Authorization": f"Bearer {token}"})).status_code == 401


async def test_other_token_kinds_are_not_bearer_tokens(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    user = await UserFactory.create_async()
    refresh = (await login(client, user.username)).json()["refresh_token"]
    assert (await client.get(PROFILE, headers={"Authorization": f"Bearer {refresh}"})).status_code == 401
    del db_session
