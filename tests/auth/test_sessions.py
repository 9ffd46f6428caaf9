"""Refresh-token rotation, reuse detection, expiry, logout and the session list."""

import io
from datetime import UTC, datetime, timedelta

import httpx
from freezegun import freeze_time

from app.auth.config import AuthConfig
from tests.conftest import app_settings
from tests.logs import records
from tests.users import API, SignIn, login

REFRESH = f"{API}/auth/refresh-token"
PROFILE = f"{API}/profile"


async def refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(REFRESH, json={"refresh_token": token})


async def test_refresh_rotates_tokens(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    signed = await sign_in()
    response = await refresh(client, signed.refresh_token)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["refresh_token"] != signed.refresh_token
    assert (
        await client.get(PROFILE, headers={"Authorization": f"Bearer {body['access_token']}"})
    ).status_code == 200
    assert (await refresh(client, body["refresh_token"])).status_code == 200


async def test_reuse_within_the_grace_period_is_refused_but_keeps_the_session(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    signed = await sign_in()
    rotated = (await refresh(client, signed.refresh_token)).json()["refresh_token"]
    assert (await refresh(client, signed.refresh_token)).status_code == 401
    assert (await refresh(client, rotated)).status_code == 200


async def test_reuse_after_the_grace_period_revokes_the_whole_session(
    client: httpx.AsyncClient, sign_in: SignIn, log_lines: io.StringIO
) -> None:
    signed = await sign_in()
    rotated = (await refresh(client, signed.refresh_token)).json()["refresh_token"]
    later = datetime.now(UTC) + timedelta(seconds=app_settings(AuthConfig).REFRESH_REUSE_GRACE + 1)
    with freeze_time(later):
        stolen = await refresh(client, signed.refresh_token)
        legitimate = await refresh(client, rotated)
    assert stolen.status_code == 401
    assert legitimate.status_code == 401
    events = [
        r for r in records(log_lines) if r.get("event") == "security: refresh token reuse, session revoked"
    ]
    assert len(events) == 1
    assert events[0]["user_id"] == signed.user.id
    assert signed.refresh_token not in log_lines.getvalue()


async def test_idle_and_absolute_expiry(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    config = app_settings(AuthConfig)
    signed = await sign_in()
    start = datetime.now(UTC)
    with freeze_time(start + timedelta(seconds=config.REFRESH_IDLE_TIMEOUT + 60)):
        assert (await refresh(client, signed.refresh_token)).status_code == 401

    token = (await sign_in()).refresh_token
    moment = start
    # Keep refreshing well within the idle timeout until the absolute lifetime runs out.
    while moment < start + timedelta(seconds=config.REFRESH_TOKEN_TTL - config.REFRESH_IDLE_TIMEOUT):
        moment += timedelta(seconds=config.REFRESH_IDLE_TIMEOUT // 2)
        with freeze_time(moment):
            response = await refresh(client, token)
            assert response.status_code == 200
            token = response.json()["refresh_token"]
    with freeze_time(start + timedelta(seconds=config.REFRESH_TOKEN_TTL + 1)):
        assert (await refresh(client, token)).status_code == 401


async def test_unknown_refresh_token_is_401(client: httpx.AsyncClient) -> None:
    assert (await refresh(client, "made-up")).status_code == 401


async def test_logout_ends_this_session_only(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    signed = await sign_in()
    second = (await login(client, signed.user.username)).json()
    response = await client.post(
        f"{API}/auth/logout", json={"refresh_token": signed.refresh_token}, headers=signed.headers
    )
    assert response.status_code == 204
    assert (await refresh(client, signed.refresh_token)).status_code == 401
    assert (await refresh(client, second["refresh_token"])).status_code == 200


async def test_logout_with_someone_elses_refresh_token_is_refused(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    ann, bob = await sign_in(), await sign_in()
    response = await client.post(
        f"{API}/auth/logout", json={"refresh_token": bob.refresh_token}, headers=ann.headers
    )
    assert response.status_code == 401
    assert (await refresh(client, bob.refresh_token)).status_code == 200


async def test_logout_all_ends_every_session_and_access_token(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    signed = await sign_in()
    other = (await login(client, signed.user.username)).json()
    assert (await client.post(f"{API}/auth/logout-all", headers=signed.headers)).status_code == 204
    assert (await client.get(PROFILE, headers=signed.headers)).status_code == 401
    assert (
        await client.get(PROFILE, headers={"Authorization": f"Bearer {other['access_token']}"})
    ).status_code == 401
    assert (await refresh(client, other["refresh_token"])).status_code == 401


async def test_sessions_are_listed_and_revocable_by_their_owner_only(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    ann = await sign_in()
    await login(client, ann.user.username, **{"User-Agent": "ann-phone"})
    bob = await sign_in()
    listed = (await client.get(f"{PROFILE}/sessions", headers=ann.headers)).json()
    assert len(listed) == 2
    assert [s["current"] for s in listed].count(True) == 1
    assert "ann-phone" in {s["user_agent"] for s in listed}

    bob_sessions = (await client.get(f"{PROFILE}/sessions", headers=bob.headers)).json()
    # Someone else's session is not found, whether it exists or not.
    assert (
        await client.delete(f"{PROFILE}/sessions/{bob_sessions[0]['id']}", headers=ann.headers)
    ).status_code == 404
    assert (await client.delete(f"{PROFILE}/sessions/99999999", headers=ann.headers)).status_code == 404

    phone = next(s for s in listed if s["user_agent"] == "ann-phone")
    assert (await client.delete(f"{PROFILE}/sessions/{phone['id']}", headers=ann.headers)).status_code == 204
    assert len((await client.get(f"{PROFILE}/sessions", headers=ann.headers)).json()) == 1
