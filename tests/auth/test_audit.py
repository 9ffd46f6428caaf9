"""The audit log: one entry per security event, written with the action (a failed sign-in
although the request fails), listed for administrators and, without internals, for the user."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Network
from typing import Any
from unittest.mock import ANY

import httpx
import pytest
from asgi_lifespan import LifespanManager
from freezegun import freeze_time
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth import tasks
from app.auth.config import AuthConfig
from app.auth.models import AuditEntry, Role
from app.auth.schemas.audit import AuditEvent
from app.auth.schemas.payloads import PurgeAuditTrailPayload
from app.auth.services.factory import audit_trail
from app.core.config import AppConfig
from app.core.db import UnitOfWork
from app.core.deps import get_unit_of_work
from app.core.mail import MemoryBackend
from app.core.platform import Platform
from app.core.resources import Resources
from tests.auth.two_factor import TWO_FACTOR, enrol, second_step_token, totp_code
from tests.conftest import app_settings, build_app
from tests.factories import PASSWORD, UserFactory
from tests.overrides import units_of_work_from
from tests.users import API, Signed, SignIn, link_token, login

AUDIT, OWN = f"{API}/admin/audit", f"{API}/profile/security-events"
AGENT = "AuditTest/1.0 (X11; a browser)"
REQUEST_ID = "audit-test-request-0001"
SENT_WITH = {"User-Agent": AGENT, "X-Request-ID": REQUEST_ID}
NEW = "Brand-new-password-99"


async def last_entry_id(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.max(AuditEntry.id))) or 0)


async def entries_after(session: AsyncSession, entry_id: int) -> list[AuditEntry]:
    statement = select(AuditEntry).where(AuditEntry.id > entry_id).order_by(AuditEntry.id)
    return list(await session.scalars(statement.execution_options(populate_existing=True)))


@dataclass
class Expected:
    event: AuditEvent
    actor_id: int | None
    target_id: int | None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Scene:
    """A scenario's means: it prepares what it needs, then does the one recorded request with
    `act`, which notes where the log stood and sends it from a known browser at a known time."""

    client: httpx.AsyncClient
    db: AsyncSession
    sign_in: SignIn
    outbox_mail: MemoryBackend
    # Later than now by more than the refresh-reuse grace, well within an access token's life.
    moment: datetime = field(
        default_factory=lambda: datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    )
    before: int = -1

    async def act(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any
    ) -> httpx.Response:
        assert self.before == -1, "one recorded request per scenario"
        self.before = await last_entry_id(self.db)
        with freeze_time(self.moment):
            return await self.client.request(
                method, f"{API}{path}", headers={**(headers or {}), **SENT_WITH}, **kw
            )

    async def second_step_token(self, username: str) -> str:
        """The first step of a two-factor sign-in, a moment before the recorded second."""
        with freeze_time(self.moment - timedelta(seconds=5)):
            return await second_step_token(self.client, username)

    async def login(self, name: str, password: str = PASSWORD) -> httpx.Response:
        return await self.act("POST", "/auth/login", data={"username": name, "password": password})


async def sign_in_succeeded(scene: Scene) -> Expected:
    user = await UserFactory.create_async()
    assert (await scene.login(user.username)).status_code == 200
    return Expected(AuditEvent.SIGN_IN_SUCCEEDED, user.id, user.id, {"session_id": ANY})


async def sign_in_failed_wrong_password(scene: Scene) -> Expected:
    user = await UserFactory.create_async()
    assert (await scene.login(user.username, "Wrong-password-123")).status_code == 401
    return Expected(AuditEvent.SIGN_IN_FAILED, None, user.id, {"reason": "wrong_password"})


async def sign_in_failed_unknown_account(scene: Scene) -> Expected:
    assert (await scene.login("nobody-here")).status_code == 401
    return Expected(AuditEvent.SIGN_IN_FAILED, None, None, {"reason": "unknown_account"})


async def sign_in_failed_inactive_account(scene: Scene) -> Expected:
    user = await UserFactory.create_async(is_active=False)
    assert (await scene.login(user.email)).status_code == 401
    return Expected(AuditEvent.SIGN_IN_FAILED, None, user.id, {"reason": "inactive_account"})


async def password_changed(scene: Scene) -> Expected:
    signed = await scene.sign_in()
    body = {"current_password": PASSWORD, "new_password": NEW}
    assert (await scene.act("POST", "/profile/password", signed.headers, json=body)).status_code == 204
    return Expected(AuditEvent.PASSWORD_CHANGED, signed.user.id, signed.user.id)


async def password_reset(scene: Scene) -> Expected:
    signed = await scene.sign_in()
    await scene.client.post(f"{API}/auth/restore-password", json={"email": signed.user.email})
    token = link_token(scene.outbox_mail, signed.user.email, "https://app.example/reset-password")
    response = await scene.act("POST", "/auth/reset-password", json={"token": token, "new_password": NEW})
    assert response.status_code == 204
    return Expected(AuditEvent.PASSWORD_RESET, signed.user.id, signed.user.id)


async def password_set_by_admin(scene: Scene) -> Expected:
    admin, user = await scene.sign_in(Role.ADMIN), await UserFactory.create_async()
    response = await scene.act(
        "POST", f"/admin/users/{user.id}/password", admin.headers, json={"password": NEW}
    )
    assert response.status_code == 204
    return Expected(AuditEvent.PASSWORD_SET_BY_ADMIN, admin.user.id, user.id)


async def email_changed(scene: Scene) -> Expected:
    signed = await scene.sign_in()
    old = signed.user.email
    body = {"email": "moved-here@example.com", "current_password": PASSWORD}
    assert (await scene.act("PATCH", "/profile", signed.headers, json=body)).status_code == 200
    details = {"old_email": old, "new_email": "moved-here@example.com"}
    return Expected(AuditEvent.EMAIL_CHANGED, signed.user.id, signed.user.id, details)


async def session_revoked(scene: Scene) -> Expected:
    signed = await scene.sign_in()
    assert (await login(scene.client, signed.user.username)).status_code == 200
    sessions = (await scene.client.get(f"{API}/profile/sessions", headers=signed.headers)).json()
    other = next(session["id"] for session in sessions if not session["current"])
    assert (await scene.act("DELETE", f"/profile/sessions/{other}", signed.headers)).status_code == 204
    details = {"session_id": other, "cause": "revoked_by_user"}
    return Expected(AuditEvent.SESSION_REVOKED, signed.user.id, signed.user.id, details)


async def session_revoked_for_refresh_token_reuse(scene: Scene) -> Expected:
    signed = await scene.sign_in()
    session_id = (await scene.client.get(f"{API}/profile/sessions", headers=signed.headers)).json()[0]["id"]
    spent = {"refresh_token": signed.refresh_token}
    assert (await scene.client.post(f"{API}/auth/refresh-token", json=spent)).status_code == 200
    assert (await scene.act("POST", "/auth/refresh-token", json=spent)).status_code == 401
    details = {"session_id": session_id, "cause": "refresh_token_reuse"}
    return Expected(AuditEvent.SESSION_REVOKED, None, signed.user.id, details)


async def signed_out(scene: Scene) -> Expected:
    signed = await scene.sign_in()
    body = {"refresh_token": signed.refresh_token}
    assert (await scene.act("POST", "/auth/logout", signed.headers, json=body)).status_code == 204
    details = {"session_id": ANY, "cause": "logout"}
    return Expected(AuditEvent.SESSION_REVOKED, signed.user.id, signed.user.id, details)


async def logged_out_everywhere(scene: Scene) -> Expected:
    signed = await scene.sign_in()
    assert (await scene.act("POST", "/auth/logout-all", signed.headers)).status_code == 204
    return Expected(AuditEvent.LOGGED_OUT_EVERYWHERE, signed.user.id, signed.user.id)


async def account_deleted(scene: Scene) -> Expected:
    signed = await scene.sign_in()
    assert (
        await scene.act("DELETE", "/profile", signed.headers, json={"password": PASSWORD})
    ).status_code == 204
    return Expected(AuditEvent.ACCOUNT_DELETED, signed.user.id, signed.user.id)


async def role_changed(scene: Scene) -> Expected:
    boss, user = await scene.sign_in(Role.SUPER_ADMIN), await UserFactory.create_async()
    assert (await scene.act("POST", f"/admin/users/{user.id}/grant-admin", boss.headers)).status_code == 200
    return Expected(AuditEvent.ROLE_CHANGED, boss.user.id, user.id, {"old_role": "user", "new_role": "admin"})


async def status_changed(scene: Scene) -> Expected:
    admin, user = await scene.sign_in(Role.ADMIN), await UserFactory.create_async()
    assert (await scene.act("POST", f"/admin/users/{user.id}/deactivate", admin.headers)).status_code == 200
    return Expected(AuditEvent.STATUS_CHANGED, admin.user.id, user.id, {"is_active": False})


async def status_changed_ending_api_keys(scene: Scene) -> Expected:
    admin, owner = await scene.sign_in(Role.ADMIN), await scene.sign_in()
    key = await new_key(scene, owner)
    path = f"/admin/users/{owner.user.id}/deactivate"
    assert (await scene.act("POST", path, admin.headers)).status_code == 200
    details = {"is_active": False, "revoked_api_key_ids": [key["id"]]}
    return Expected(AuditEvent.STATUS_CHANGED, admin.user.id, owner.user.id, details)


async def user_created_by_admin(scene: Scene) -> Expected:
    admin = await scene.sign_in(Role.ADMIN)
    body = {"email": "made@example.com", "username": "made-by-admin", "password": NEW}
    response = await scene.act("POST", "/admin/users", admin.headers, json=body)
    assert response.status_code == 201
    return Expected(AuditEvent.USER_CREATED_BY_ADMIN, admin.user.id, response.json()["id"], {"role": "user"})


async def user_deleted_by_admin(scene: Scene) -> Expected:
    admin, user = await scene.sign_in(Role.ADMIN), await UserFactory.create_async()
    assert (await scene.act("DELETE", f"/admin/users/{user.id}", admin.headers)).status_code == 204
    return Expected(AuditEvent.USER_DELETED_BY_ADMIN, admin.user.id, user.id)


async def new_key(
    scene: Scene, signed: Signed, scopes: tuple[str, ...] = ("profile:read",)
) -> dict[str, Any]:
    body = {"name": "ci", "scopes": list(scopes)}
    response = await scene.client.post(f"{API}/profile/api-keys", json=body, headers=signed.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def api_key_created(scene: Scene) -> Expected:
    signed = await scene.sign_in()
    body = {"name": "ci", "scopes": ["profile:read"]}
    response = await scene.act("POST", "/profile/api-keys", signed.headers, json=body)
    assert response.status_code == 201
    key = response.json()
    details = {"api_key_id": key["id"], "prefix": key["prefix"], "scopes": ["profile:read"]}
    return Expected(AuditEvent.API_KEY_CREATED, signed.user.id, signed.user.id, details)


async def api_key_first_used(scene: Scene) -> Expected:
    signed = await scene.sign_in()
    key = await new_key(scene, signed)
    response = await scene.act("GET", "/profile", {"Authorization": f"Bearer {key['token']}"})
    assert response.status_code == 200
    return Expected(AuditEvent.API_KEY_FIRST_USED, signed.user.id, signed.user.id, {"api_key_id": key["id"]})


async def api_key_revoked(scene: Scene) -> Expected:
    signed = await scene.sign_in()
    key = await new_key(scene, signed)
    assert (await scene.act("DELETE", f"/profile/api-keys/{key['id']}", signed.headers)).status_code == 204
    return Expected(AuditEvent.API_KEY_REVOKED, signed.user.id, signed.user.id, {"api_key_id": key["id"]})


async def api_key_revoked_by_admin(scene: Scene) -> Expected:
    admin, owner = await scene.sign_in(Role.ADMIN), await scene.sign_in()
    key = await new_key(scene, owner)
    path = f"/admin/users/{owner.user.id}/api-keys/{key['id']}"
    assert (await scene.act("DELETE", path, admin.headers)).status_code == 204
    return Expected(AuditEvent.API_KEY_REVOKED, admin.user.id, owner.user.id, {"api_key_id": key["id"]})


async def two_factor_enabled(scene: Scene) -> Expected:
    signed = await scene.sign_in()
    started = await scene.client.post(f"{TWO_FACTOR}/enrolment", headers=signed.headers)
    code = {"passcode": totp_code(started.json()["secret"], at=scene.moment)}
    response = await scene.act("POST", "/profile/two-factor/enrolment/confirm", signed.headers, json=code)
    assert response.status_code == 200
    return Expected(AuditEvent.TWO_FACTOR_ENABLED, signed.user.id, signed.user.id)


async def two_factor_failed(scene: Scene) -> Expected:
    signed = await scene.sign_in()
    await enrol(scene.client, signed.headers)
    token = await scene.second_step_token(signed.user.username)
    body = {"second_factor_token": token, "passcode": "000000"}
    assert (await scene.act("POST", "/auth/login/second-factor", json=body)).status_code == 401
    return Expected(AuditEvent.TWO_FACTOR_FAILED, None, signed.user.id, {"reason": "wrong_code"})


async def two_factor_used_to_sign_in(scene: Scene) -> list[Expected]:
    signed = await scene.sign_in()
    enrolled = await enrol(scene.client, signed.headers)
    token = await scene.second_step_token(signed.user.username)
    body = {"second_factor_token": token, "passcode": totp_code(enrolled.secret, at=scene.moment)}
    assert (await scene.act("POST", "/auth/login/second-factor", json=body)).status_code == 200
    user = signed.user.id
    return [
        Expected(AuditEvent.TWO_FACTOR_USED, user, user, {"method": "totp"}),
        Expected(AuditEvent.SIGN_IN_SUCCEEDED, user, user, {"session_id": ANY, "second_factor": "totp"}),
    ]


async def recovery_code_used(scene: Scene) -> list[Expected]:
    signed = await scene.sign_in()
    enrolled = await enrol(scene.client, signed.headers)
    token = await scene.second_step_token(signed.user.username)
    body = {"second_factor_token": token, "passcode": enrolled.recovery_codes[0]}
    assert (await scene.act("POST", "/auth/login/second-factor", json=body)).status_code == 200
    user = signed.user.id
    return [
        Expected(AuditEvent.RECOVERY_CODE_USED, user, user, {"remaining": 9}),
        Expected(AuditEvent.TWO_FACTOR_USED, user, user, {"method": "recovery_code"}),
        Expected(
            AuditEvent.SIGN_IN_SUCCEEDED, user, user, {"session_id": ANY, "second_factor": "recovery_code"}
        ),
    ]


async def recovery_codes_regenerated(scene: Scene) -> Expected:
    signed = await scene.sign_in()
    await enrol(scene.client, signed.headers)
    response = await scene.act("POST", "/profile/two-factor/recovery-codes", signed.headers)
    assert response.status_code == 200, response.text
    return Expected(AuditEvent.RECOVERY_CODES_REGENERATED, signed.user.id, signed.user.id)


async def two_factor_disabled(scene: Scene) -> Expected:
    signed = await scene.sign_in()
    await enrol(scene.client, signed.headers)
    assert (await scene.act("DELETE", "/profile/two-factor", signed.headers)).status_code == 204
    return Expected(AuditEvent.TWO_FACTOR_DISABLED, signed.user.id, signed.user.id)


async def step_up_succeeded(scene: Scene) -> Expected:
    signed = await scene.sign_in()
    response = await scene.act("POST", "/auth/step-up", signed.headers, json={"password": PASSWORD})
    assert response.status_code == 200, response.text
    return Expected(AuditEvent.STEP_UP_SUCCEEDED, signed.user.id, signed.user.id, {"session_id": ANY})


async def step_up_failed(scene: Scene) -> Expected:
    signed = await scene.sign_in()
    response = await scene.act(
        "POST", "/auth/step-up", signed.headers, json={"password": "Wrong-password-123"}
    )
    assert response.status_code == 401
    return Expected(AuditEvent.STEP_UP_FAILED, signed.user.id, signed.user.id, {"reason": "wrong_password"})


SCENARIOS: list[Callable[[Scene], Awaitable[Expected | list[Expected]]]] = [
    sign_in_succeeded,
    sign_in_failed_wrong_password,
    sign_in_failed_unknown_account,
    sign_in_failed_inactive_account,
    password_changed,
    password_reset,
    password_set_by_admin,
    email_changed,
    session_revoked,
    session_revoked_for_refresh_token_reuse,
    signed_out,
    logged_out_everywhere,
    account_deleted,
    role_changed,
    status_changed,
    status_changed_ending_api_keys,
    user_created_by_admin,
    user_deleted_by_admin,
    api_key_created,
    api_key_first_used,
    api_key_revoked,
    api_key_revoked_by_admin,
    two_factor_enabled,
    two_factor_failed,
    two_factor_used_to_sign_in,
    recovery_code_used,
    recovery_codes_regenerated,
    two_factor_disabled,
    step_up_succeeded,
    step_up_failed,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.__name__ for scenario in SCENARIOS])
async def test_each_event_leaves_exactly_one_entry(
    scenario: Callable[[Scene], Awaitable[Expected | list[Expected]]],
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    sign_in: SignIn,
    outbox_mail: MemoryBackend,
) -> None:
    scene = Scene(client, db_session, sign_in, outbox_mail)
    outcome = await scenario(scene)
    expected_entries = outcome if isinstance(outcome, list) else [outcome]
    entries = await entries_after(db_session, scene.before)
    recorded = [
        (
            e.event,
            e.actor_id,
            e.target_id,
            e.client_address,
            e.user_agent,
            e.request_id,
            e.details,
            e.created_at,
        )
        for e in entries
    ]
    assert recorded == [
        (
            expected.event.value,
            expected.actor_id,
            expected.target_id,
            "127.0.0.1",
            AGENT,
            REQUEST_ID,
            expected.details,
            scene.moment,
        )
        for expected in expected_entries
    ]


async def test_a_failed_sign_in_is_kept_although_the_request_fails(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    user = await UserFactory.create_async()
    before = await last_entry_id(db_session)
    response = await login(client, user.username, "Wrong-password-123")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    # The answer tells nothing of why; the entry does, to administrators.
    assert "reason" not in response.text
    [entry] = await entries_after(db_session, before)
    assert (entry.event, entry.target_id, entry.details) == (
        "sign_in_failed",
        user.id,
        {"reason": "wrong_password"},
    )


async def test_the_client_address_behind_a_trusted_proxy_is_the_forwarded_one(
    app_config: AppConfig, session_factory: async_sessionmaker[AsyncSession], db_session: AsyncSession
) -> None:
    """As the rate limiter counts it: the proxy's X-Forwarded-For, read right to left."""
    user = await UserFactory.create_async()
    proxied = build_app(app_config.model_copy(update={"TRUSTED_PROXIES": [IPv4Network("10.0.0.0/8")]}))
    proxied.dependency_overrides[get_unit_of_work] = units_of_work_from(session_factory)
    before = await last_entry_id(db_session)
    async with LifespanManager(proxied) as manager:
        transport = httpx.ASGITransport(app=manager.app, client=("10.0.0.5", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            forwarded = {"X-Forwarded-For": "192.0.2.66, 198.51.100.7"}
            assert (await login(http, user.username, "Wrong-password-1", **forwarded)).status_code == 401
            assert (await login(http, user.username, PASSWORD, **forwarded)).status_code == 200
    entries = await entries_after(db_session, before)
    assert [(e.event, e.client_address) for e in entries] == [
        ("sign_in_failed", "198.51.100.7"),
        ("sign_in_succeeded", "198.51.100.7"),
    ]


async def test_tasks_and_commands_record_without_request_fields(platform: Platform) -> None:
    before = await last_entry_id(platform.session)
    trail = audit_trail(platform)
    await trail.record(AuditEvent.STATUS_CHANGED, actor_id=None, target_id=7, details={"is_active": False})
    await platform.session.flush()
    [entry] = await entries_after(platform.session, before)
    assert (entry.client_address, entry.user_agent, entry.request_id, entry.actor_id) == (
        None,
        None,
        None,
        None,
    )


async def test_details_never_hold_a_secret(platform: Platform) -> None:
    trail = audit_trail(platform)
    with pytest.raises(ValueError, match="secrets"):
        await trail.record(
            AuditEvent.PASSWORD_CHANGED, actor_id=1, target_id=1, details={"new_password": "hunter2hunter2"}
        )
    # The id of what a secret opens is not one.
    await trail.record(AuditEvent.API_KEY_REVOKED, actor_id=1, target_id=1, details={"api_key_id": 3})


async def test_entries_are_never_updated(platform: Platform) -> None:
    await audit_trail(platform).record(AuditEvent.LOGGED_OUT_EVERYWHERE, actor_id=1, target_id=1)
    await platform.session.flush()
    with pytest.raises(DBAPIError, match="append-only"):
        async with platform.session.begin_nested():
            await platform.session.execute(update(AuditEntry).values(target_id=2))


# ------------------------------------------------------------------ listings


async def _record_at(
    platform: Platform,
    moment: datetime,
    event: AuditEvent,
    actor: int | None,
    target: int | None,
    **details: Any,
) -> None:
    with freeze_time(moment):
        await audit_trail(platform).record(event, actor_id=actor, target_id=target, details=details)
    await platform.session.flush()


@pytest.fixture
def day() -> datetime:
    """A past day, so that what the test's own sign-ins record comes after it."""
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=10)


async def test_admins_filter_the_log_by_actor_event_and_time(
    client: httpx.AsyncClient, sign_in: SignIn, platform: Platform, day: datetime
) -> None:
    admin = await sign_in(Role.ADMIN)
    ann, bob = await UserFactory.create_async(), await UserFactory.create_async()
    await _record_at(
        platform, day + timedelta(hours=1), AuditEvent.SIGN_IN_FAILED, None, ann.id, reason="wrong_password"
    )
    await _record_at(platform, day + timedelta(hours=2), AuditEvent.PASSWORD_CHANGED, ann.id, ann.id)
    await _record_at(
        platform, day + timedelta(hours=3), AuditEvent.STATUS_CHANGED, bob.id, ann.id, is_active=False
    )
    await _record_at(platform, day + timedelta(hours=4), AuditEvent.PASSWORD_CHANGED, bob.id, bob.id)
    await platform.unit_of_work.commit()

    async def listed(filters: str, **params: str) -> list[tuple[str, int | None, int | None]]:
        response = await client.get(AUDIT, params={"filters": filters, **params}, headers=admin.headers)
        assert response.status_code == 200, response.text
        return [(item["event"], item["actor_id"], item["target_id"]) for item in response.json()["items"]]

    in_day = f"created_at:gte:{day.isoformat()},created_at:lt:{(day + timedelta(days=1)).isoformat()}"
    # Newest first by default.
    assert await listed(in_day) == [
        ("password_changed", bob.id, bob.id),
        ("status_changed", bob.id, ann.id),
        ("password_changed", ann.id, ann.id),
        ("sign_in_failed", None, ann.id),
    ]
    assert await listed(f"{in_day},actor_id:{bob.id}") == [
        ("password_changed", bob.id, bob.id),
        ("status_changed", bob.id, ann.id),
    ]
    assert await listed(f"{in_day},event:password_changed", sort="created_at:asc") == [
        ("password_changed", ann.id, ann.id),
        ("password_changed", bob.id, bob.id),
    ]
    assert await listed(f"target_id:{ann.id},event:[sign_in_failed,status_changed]") == [
        ("status_changed", bob.id, ann.id),
        ("sign_in_failed", None, ann.id),
    ]
    since, until = (day + timedelta(hours=2)).isoformat(), (day + timedelta(hours=4)).isoformat()
    window = f"created_at:gte:{since},created_at:lt:{until}"
    assert await listed(window) == [("status_changed", bob.id, ann.id), ("password_changed", ann.id, ann.id)]
    # Administrators see the internal reason.
    failed = (
        await client.get(
            AUDIT, params={"filters": f"event:sign_in_failed,target_id:{ann.id}"}, headers=admin.headers
        )
    ).json()
    assert failed["items"][0]["details"] == {"reason": "wrong_password"}


async def test_users_see_their_own_events_without_internal_details(
    client: httpx.AsyncClient, sign_in: SignIn, platform: Platform, day: datetime
) -> None:
    ann, bob, boss = await sign_in(), await sign_in(), await sign_in(Role.SUPER_ADMIN)
    await _record_at(
        platform,
        day + timedelta(hours=1),
        AuditEvent.SIGN_IN_FAILED,
        None,
        ann.user.id,
        reason="wrong_password",
    )
    await _record_at(
        platform, day + timedelta(hours=2), AuditEvent.PASSWORD_CHANGED, bob.user.id, bob.user.id
    )
    await _record_at(
        platform,
        day + timedelta(hours=3),
        AuditEvent.ROLE_CHANGED,
        boss.user.id,
        ann.user.id,
        old_role="user",
        new_role="admin",
    )
    await platform.unit_of_work.commit()

    response = await client.get(OWN, headers=ann.headers)
    assert response.status_code == 200, response.text
    page = response.json()
    # Ann's alone, newest first: her sign-in (the fixture's), the role an administrator gave her,
    # and someone's attempt on her account, whose reason she does not see.
    assert [(i["event"], i["actor_id"], i["target_id"], i["details"]) for i in page["items"]] == [
        ("sign_in_succeeded", ann.user.id, ann.user.id, {"session_id": ANY}),
        ("role_changed", boss.user.id, ann.user.id, {"old_role": "user", "new_role": "admin"}),
        ("sign_in_failed", None, ann.user.id, {}),
    ]
    assert page["total"] == 3
    assert "wrong_password" not in response.text
    assert "request_id" not in page["items"][0]
    paged = (await client.get(OWN, params={"per_page": 1, "page": 3}, headers=ann.headers)).json()
    assert [i["event"] for i in paged["items"]] == ["sign_in_failed"]
    assert (paged["total"], paged["pages"]) == (3, 3)


async def test_a_user_sees_an_administrators_action_but_not_their_address(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    boss, ann = await sign_in(Role.SUPER_ADMIN), await sign_in()
    await client.post(f"{API}/admin/users/{ann.user.id}/grant-admin", headers={**boss.headers, **SENT_WITH})
    refreshed = await client.post(f"{API}/auth/refresh-token", json={"refresh_token": ann.refresh_token})
    headers = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    items = (await client.get(OWN, params={"filters": "event:role_changed"}, headers=headers)).json()["items"]
    assert [(i["actor_id"], i["client_address"], i["user_agent"]) for i in items] == [
        (boss.user.id, None, None)
    ]
    own = (await client.get(OWN, params={"filters": "event:sign_in_succeeded"}, headers=headers)).json()[
        "items"
    ]
    assert own[0]["client_address"] == "127.0.0.1"


@pytest.mark.parametrize("role", [Role.USER, None])
async def test_only_administrators_read_the_log(
    client: httpx.AsyncClient, sign_in: SignIn, role: Role | None
) -> None:
    headers = (await sign_in(role)).headers if role else {}
    response = await client.get(AUDIT, headers=headers)
    assert response.status_code == (403 if role else 401)
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("url", "query"),
    [
        (AUDIT, {"filters": "user_agent:x"}),
        (AUDIT, {"filters": "created_at:gte:yesterday"}),
        (AUDIT, {"sort": "event"}),
        (OWN, {"filters": "actor_id:1"}),
    ],
)
async def test_bad_list_parameters_are_422(
    client: httpx.AsyncClient, sign_in: SignIn, url: str, query: dict[str, str]
) -> None:
    admin: Signed = await sign_in(Role.ADMIN)
    response = await client.get(url, params=query, headers=admin.headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


# ------------------------------------------------------------------ retention


async def test_the_purge_deletes_only_entries_older_than_the_retention(
    db_session: AsyncSession, resources: Resources, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_settings(AuthConfig), "AUDIT_RETENTION", 2 * 24 * 3600)
    # Several batches' worth, so the purge has to come back for more.
    monkeypatch.setattr(tasks, "AUDIT_PURGE_BATCH", 2)
    now = datetime.now(UTC)
    ages = [timedelta(days=3, hours=hours) for hours in range(5)] + [
        timedelta(days=1, hours=23),
        timedelta(0),
    ]
    entries = [
        AuditEntry(event="password_changed", actor_id=1, target_id=1, details={}, created_at=now - age)
        for age in ages
    ]
    db_session.add_all(entries)
    await db_session.commit()
    with freeze_time(now):
        async with UnitOfWork(resources.session_factory) as unit_of_work:
            result = await tasks.PurgeAuditTrail(Platform.build(resources, unit_of_work)).run(
                PurgeAuditTrailPayload()
            )
    # At least these five (committed leftovers of other runs may be older still).
    assert result["deleted"] >= 5
    ids = [entry.id for entry in entries]
    remaining = await db_session.scalars(
        select(AuditEntry.id).where(AuditEntry.id.in_(ids)).order_by(AuditEntry.id)
    )
    assert list(remaining) == ids[5:]
    assert tasks.PurgeAuditTrail.schedule(resources.config) == [{"cron": "23 * * * *"}]


def test_entries_are_kept_a_year_by_default() -> None:
    assert AuthConfig.model_fields["AUDIT_RETENTION"].default == 365 * 24 * 3600
