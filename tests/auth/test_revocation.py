"""Revocations reach every process at the next request, and are refused rather than half done
when Redis cannot confirm them; each one is announced with AccessRevoked."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from freezegun import freeze_time
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth import Role, auth_gateway
from app.auth.config import AuthConfig
from app.auth.models import SignInSession, User
from app.auth.services.access import PRINCIPAL_KEY
from app.core.config import AppConfig
from app.core.mail import MemoryBackend
from app.core.platform import Platform
from app.core.resources import Resources
from tests.conftest import app_settings
from tests.core.health.test_health import closed_port
from tests.factories import PASSWORD
from tests.processes import api
from tests.users import API, CreateUser, SignIn, link_token, login

PROFILE, SESSIONS = f"{API}/profile", f"{API}/profile/sessions"
LOGOUT, LOGOUT_ALL = f"{API}/auth/logout", f"{API}/auth/logout-all"
ADMIN = f"{API}/admin/users"
NEW_PASSWORD = "Brand-new-password-99"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def without_redis(config: AppConfig) -> AppConfig:
    """The same app, pointed at a Redis that is not there (as tests/faults/test_redis.py does)."""
    nowhere = f"redis://127.0.0.1:{closed_port()}/0"
    return config.model_copy(update={"REDIS_URL": nowhere, "REDIS_TIMEOUT": 0.5})


async def test_logout_ends_the_sessions_access_token_at_its_next_request_on_every_process(
    app_config: AppConfig, committed_users: CreateUser
) -> None:
    user = await committed_users()
    async with api(app_config) as (first, _), api(app_config) as (second, _):
        tokens = (await login(first, user.username)).json()
        headers = bearer(tokens["access_token"])
        # The second process has the account cached from this request on.
        assert (await second.get(PROFILE, headers=headers)).status_code == 200
        logout = await first.post(LOGOUT, json={"refresh_token": tokens["refresh_token"]}, headers=headers)
        assert logout.status_code == 204
        assert (await second.get(PROFILE, headers=headers)).status_code == 401
        assert (await first.get(PROFILE, headers=headers)).status_code == 401


async def test_an_account_cached_from_before_a_revocation_does_not_revive_its_tokens(
    app_config: AppConfig, committed_users: CreateUser, resources: Resources
) -> None:
    """A request that read the account before logout-all committed may cache it after: the old
    snapshot must neither accept the retired token nor refuse the new one."""
    user = await committed_users()
    key = PRINCIPAL_KEY.format(user.id)
    async with api(app_config) as (first, _), api(app_config) as (second, _):
        old = bearer((await login(first, user.username)).json()["access_token"])
        assert (await first.get(PROFILE, headers=old)).status_code == 200
        stale_snapshot = await resources.redis.get(key)
        assert stale_snapshot is not None
        assert (await first.post(LOGOUT_ALL, headers=old)).status_code == 204
        await resources.redis.set(key, stale_snapshot)  # the late writer
        assert (await second.get(PROFILE, headers=old)).status_code == 401
        new = bearer((await login(second, user.username)).json()["access_token"])
        assert (await first.get(PROFILE, headers=new)).status_code == 200


async def test_revoking_a_session_ends_its_access_token_at_the_next_request(
    client: httpx.AsyncClient,
    sign_in: SignIn,
    platform: Platform,
    access_revoked: list[dict[str, Any]],
) -> None:
    phone = await sign_in()
    laptop = bearer((await login(client, phone.user.username)).json()["access_token"])
    listed = (await client.get(SESSIONS, headers=phone.headers)).json()
    laptop_id = next(s["id"] for s in listed if not s["current"])
    assert (await client.get(PROFILE, headers=laptop)).status_code == 200

    assert (await client.delete(f"{SESSIONS}/{laptop_id}", headers=phone.headers)).status_code == 204
    assert (await client.get(PROFILE, headers=laptop)).status_code == 401
    assert (await client.get(PROFILE, headers=phone.headers)).status_code == 200
    # Other modules (WebSockets) authenticate through the gateway: the same answer there.
    gateway = auth_gateway(platform)
    assert await gateway.authenticate(laptop["Authorization"].removeprefix("Bearer "), scopes=[]) is None
    assert await gateway.authenticate(phone.access_token, scopes=[]) is not None
    assert access_revoked == [
        {"user_id": phone.user.id, "session_id": laptop_id, "reason": "revoked_by_user", "api_key_id": None}
    ]


async def test_refresh_token_reuse_ends_the_sessions_access_token_at_the_next_request(
    client: httpx.AsyncClient, sign_in: SignIn, access_revoked: list[dict[str, Any]]
) -> None:
    signed = await sign_in()
    session_id = (await client.get(SESSIONS, headers=signed.headers)).json()[0]["id"]
    refresh = f"{API}/auth/refresh-token"
    rotated = (await client.post(refresh, json={"refresh_token": signed.refresh_token})).json()
    headers = bearer(rotated["access_token"])
    assert (await client.get(PROFILE, headers=headers)).status_code == 200
    later = datetime.now(UTC) + timedelta(seconds=app_settings(AuthConfig).REFRESH_REUSE_GRACE + 1)
    with freeze_time(later):
        assert (await client.post(refresh, json={"refresh_token": signed.refresh_token})).status_code == 401
        assert (await client.get(PROFILE, headers=headers)).status_code == 401
    # Announced although the request failed: the revocation was committed with the 401.
    assert access_revoked == [
        {
            "user_id": signed.user.id,
            "session_id": session_id,
            "reason": "refresh_token_reuse",
            "api_key_id": None,
        }
    ]


async def test_a_revoked_session_stays_refused_by_a_process_that_cannot_reach_redis(
    app_config: AppConfig, committed_users: CreateUser
) -> None:
    user = await committed_users()
    async with api(app_config) as (healthy, _), api(without_redis(app_config)) as (cut_off, _):
        tokens = (await login(healthy, user.username)).json()
        headers = bearer(tokens["access_token"])
        # Without Redis the database decides: signed-in users are still served...
        assert (await cut_off.get(PROFILE, headers=headers)).status_code == 200
        logout = await healthy.post(LOGOUT, json={"refresh_token": tokens["refresh_token"]}, headers=headers)
        assert logout.status_code == 204
        # ...and a revoked session is still refused.
        assert (await cut_off.get(PROFILE, headers=headers)).status_code == 401


async def test_revocations_redis_cannot_confirm_fail_with_503_and_change_nothing(
    app_config: AppConfig, committed_users: CreateUser, engine: AsyncEngine
) -> None:
    user, admin = await committed_users(), await committed_users(Role.ADMIN)
    async with api(app_config) as (healthy, _), api(without_redis(app_config)) as (cut_off, _):
        headers = bearer((await login(healthy, user.username)).json()["access_token"])
        admin_headers = bearer((await login(healthy, admin.username)).json()["access_token"])
        # The healthy process caches the account: a revocation it does not hear of would leave
        # this token working there.
        assert (await healthy.get(PROFILE, headers=headers)).status_code == 200
        attempts = [
            await cut_off.post(LOGOUT_ALL, headers=headers),
            await cut_off.post(
                f"{PROFILE}/password",
                json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                headers=headers,
            ),
            await cut_off.post(
                f"{ADMIN}/{user.id}/password", json={"password": NEW_PASSWORD}, headers=admin_headers
            ),
            await cut_off.post(f"{ADMIN}/{user.id}/deactivate", headers=admin_headers),
        ]
        for response in attempts:
            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == "application/problem+json"
            # Refused by the revocation itself, not by something else that needs Redis.
            assert response.json()["code"] == "revocation_unavailable", response.text
            assert int(response.headers["retry-after"]) > 0
        async with engine.connect() as connection:
            row = (
                await connection.execute(select(User.token_version, User.is_active).where(User.id == user.id))
            ).one()
        assert tuple(row) == (0, True), "a refused revocation changed nothing"

        # Once Redis confirms, the same revocation holds everywhere at the next request.
        assert (await healthy.post(LOGOUT_ALL, headers=headers)).status_code == 204
        assert (await healthy.get(PROFILE, headers=headers)).status_code == 401


async def test_every_revocation_of_all_access_is_announced(
    client: httpx.AsyncClient,
    sign_in: SignIn,
    outbox_mail: MemoryBackend,
    access_revoked: list[dict[str, Any]],
) -> None:
    super_admin, user = await sign_in(Role.SUPER_ADMIN), await sign_in()
    uid = user.user.id

    async def signed_in_again() -> dict[str, str]:
        return bearer((await login(client, user.user.username)).json()["access_token"])

    logout = await client.post(LOGOUT, json={"refresh_token": user.refresh_token}, headers=user.headers)
    assert logout.status_code == 204
    headers = await signed_in_again()
    assert (await client.post(LOGOUT_ALL, headers=headers)).status_code == 204
    headers = await signed_in_again()
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert (await client.post(f"{PROFILE}/password", json=change, headers=headers)).status_code == 204
    await client.post(f"{API}/auth/restore-password", json={"email": user.user.email})
    token = link_token(outbox_mail, user.user.email, "https://app.example/reset-password")
    reset = {"token": token, "new_password": PASSWORD}
    assert (await client.post(f"{API}/auth/reset-password", json=reset)).status_code == 204
    admin = super_admin.headers
    set_password = {"password": NEW_PASSWORD}
    assert (await client.post(f"{ADMIN}/{uid}/password", json=set_password, headers=admin)).status_code == 204
    assert (await client.post(f"{ADMIN}/{uid}/grant-admin", headers=admin)).status_code == 200
    assert (await client.post(f"{ADMIN}/{uid}/deactivate", headers=admin)).status_code == 200
    assert (await client.post(f"{ADMIN}/{uid}/reactivate", headers=admin)).status_code == 200
    headers = bearer((await login(client, user.user.username, NEW_PASSWORD)).json()["access_token"])
    deleted = await client.request("DELETE", PROFILE, json={"password": NEW_PASSWORD}, headers=headers)
    assert deleted.status_code == 204

    assert [(event["user_id"], event["reason"]) for event in access_revoked] == [
        (uid, "logout"),
        (uid, "logout_all"),
        (uid, "password_changed"),
        (uid, "password_reset"),
        (uid, "password_set_by_admin"),
        (uid, "role_changed"),
        (uid, "deactivated"),
        (uid, "account_deleted"),
    ]
    assert access_revoked[0]["session_id"] is not None
    assert all(event["session_id"] is None for event in access_revoked[1:])


async def test_refresh_token_reuse_ends_the_session_even_when_redis_cannot_confirm(
    app_config: AppConfig, committed_users: CreateUser, engine: AsyncEngine
) -> None:
    user = await committed_users()
    refresh = f"{API}/auth/refresh-token"
    async with api(app_config) as (healthy, _), api(without_redis(app_config)) as (cut_off, _):
        spent = (await login(healthy, user.username)).json()["refresh_token"]
        assert (await healthy.post(refresh, json={"refresh_token": spent})).status_code == 200
        later = datetime.now(UTC) + timedelta(seconds=app_settings(AuthConfig).REFRESH_REUSE_GRACE + 1)
        with freeze_time(later):
            reused = await cut_off.post(refresh, json={"refresh_token": spent})
    # Not "nothing changed": the session ended in the database, where a process without Redis checks.
    assert reused.status_code == 503
    assert "session was ended" in reused.json()["detail"]
    async with engine.connect() as connection:
        reason = await connection.scalar(
            select(SignInSession.revoked_reason).where(SignInSession.user_id == user.id)
        )
    assert reason == "refresh_token_reuse"
