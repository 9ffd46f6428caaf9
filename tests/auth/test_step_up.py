"""Step-up re-authentication (RFC 9470): sensitive actions need a recent authentication, and
POST /auth/step-up renews it within the same session."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from freezegun import freeze_time

from app.auth import Principal, Role
from app.auth.config import AuthConfig
from app.auth.exceptions import InsufficientUserAuthentication
from app.auth.policies.step_up import ensure_recent_authentication
from app.core.clock import utcnow
from app.core.config import AppConfig
from tests.api_keys import new_key
from tests.auth.test_security import real_api
from tests.auth.two_factor import STEP_UP, TWO_FACTOR, enrol, totp_code
from tests.conftest import app_settings, build_app
from tests.factories import PASSWORD, UserFactory
from tests.users import API, CreateUser, Signed, SignIn, login

PROFILE, ADMIN = f"{API}/profile", f"{API}/admin/users"
REFRESH = f"{API}/auth/refresh-token"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def claims_of(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def stale_moment() -> datetime:
    """Later than the step-up window allows, earlier than the access token expires."""
    config = app_settings(AuthConfig)
    assert config.STEP_UP_MAX_AGE + 60 < config.ACCESS_TOKEN_TTL
    return utcnow() + timedelta(seconds=config.STEP_UP_MAX_AGE + 60)


@dataclass
class Context:
    client: httpx.AsyncClient
    signed: Signed
    secret: str | None = None  # the TOTP secret, when the actor has two-factor on
    target_id: int = 0


Setup = Callable[[Context], Awaitable[None]]
Act = Callable[[Context, dict[str, str]], Awaitable[httpx.Response]]


async def nothing(context: Context) -> None:
    del context


async def two_factor_on(context: Context) -> None:
    context.secret = (await enrol(context.client, context.signed.headers)).secret


def target(**fields: Any) -> Setup:
    async def create(context: Context) -> None:
        context.target_id = (await UserFactory.create_async(**fields)).id

    return create


@dataclass
class Action:
    name: str
    role: Role
    setup: Setup
    act: Act
    succeeds_with: int


ACTIONS = [
    Action(
        "change password",
        Role.USER,
        nothing,
        lambda c, h: c.client.post(
            f"{PROFILE}/password",
            json={"current_password": PASSWORD, "new_password": "Fresh-pass-word-5"},
            headers=h,
        ),
        204,
    ),
    Action(
        "change email",
        Role.USER,
        nothing,
        lambda c, h: c.client.patch(
            PROFILE, json={"email": "moved-here@example.com", "current_password": PASSWORD}, headers=h
        ),
        200,
    ),
    Action(
        "delete account",
        Role.USER,
        nothing,
        lambda c, h: c.client.request("DELETE", PROFILE, json={"password": PASSWORD}, headers=h),
        204,
    ),
    Action(
        "turn two-factor on",
        Role.USER,
        nothing,
        lambda c, h: c.client.post(f"{TWO_FACTOR}/enrolment", headers=h),
        201,
    ),
    Action(
        "turn two-factor off",
        Role.USER,
        two_factor_on,
        lambda c, h: c.client.delete(TWO_FACTOR, headers=h),
        204,
    ),
    Action(
        "regenerate recovery codes",
        Role.USER,
        two_factor_on,
        lambda c, h: c.client.post(f"{TWO_FACTOR}/recovery-codes", headers=h),
        200,
    ),
    Action(
        "create an API key",
        Role.USER,
        nothing,
        lambda c, h: c.client.post(
            f"{API}/profile/api-keys", json={"name": "ci", "scopes": ["users:read"]}, headers=h
        ),
        201,
    ),
    Action(
        "deactivate an account",
        Role.ADMIN,
        target(),
        lambda c, h: c.client.post(f"{ADMIN}/{c.target_id}/deactivate", headers=h),
        200,
    ),
    Action(
        "reactivate an account",
        Role.ADMIN,
        target(is_active=False),
        lambda c, h: c.client.post(f"{ADMIN}/{c.target_id}/reactivate", headers=h),
        200,
    ),
    Action(
        "create an account",
        Role.ADMIN,
        nothing,
        lambda c, h: c.client.post(
            ADMIN,
            json={
                "email": "made-by-admin@example.com",
                "username": "made_by_admin",
                "password": "Created-pass-1",
            },
            headers=h,
        ),
        201,
    ),
    Action(
        "delete an account",
        Role.ADMIN,
        target(),
        lambda c, h: c.client.delete(f"{ADMIN}/{c.target_id}", headers=h),
        204,
    ),
    Action(
        "set an account's password",
        Role.ADMIN,
        target(),
        lambda c, h: c.client.post(
            f"{ADMIN}/{c.target_id}/password", json={"password": "Set-by-admin-9"}, headers=h
        ),
        204,
    ),
    Action(
        "grant the admin role",
        Role.SUPER_ADMIN,
        target(),
        lambda c, h: c.client.post(f"{ADMIN}/{c.target_id}/grant-admin", headers=h),
        200,
    ),
    Action(
        "revoke the admin role",
        Role.SUPER_ADMIN,
        target(role=Role.ADMIN.value),
        lambda c, h: c.client.post(f"{ADMIN}/{c.target_id}/revoke-admin", headers=h),
        200,
    ),
]


@pytest.mark.parametrize("action", ACTIONS, ids=[action.name for action in ACTIONS])
async def test_a_sensitive_action_needs_a_recent_authentication(
    client: httpx.AsyncClient, sign_in: SignIn, action: Action
) -> None:
    context = Context(client, await sign_in(action.role))
    await action.setup(context)
    stale = stale_moment()
    with freeze_time(stale):
        refused = await action.act(context, context.signed.headers)
        assert refused.status_code == 401, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "insufficient_user_authentication"
        max_age = app_settings(AuthConfig).STEP_UP_MAX_AGE
        assert refused.headers["www-authenticate"] == (
            'Bearer error="insufficient_user_authentication", '
            'error_description="A more recent authentication is required", '
            f'max_age="{max_age}"'
        )

        step_up: dict[str, str] = {"password": PASSWORD}
        if context.secret is not None:
            step_up["passcode"] = totp_code(context.secret, at=stale)
        renewed = await client.post(STEP_UP, json=step_up, headers=context.signed.headers)
        assert renewed.status_code == 200, renewed.text
        done = await action.act(context, bearer(renewed.json()["access_token"]))
        assert done.status_code == action.succeeds_with, done.text


async def test_tokens_carry_when_and_how_the_session_authenticated_across_refreshes(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    before = int(utcnow().timestamp())
    signed = await sign_in()
    claims = claims_of(signed.access_token)
    assert before <= claims["auth_time"] <= int(utcnow().timestamp())
    assert claims["amr"] == ["pwd"]
    later = utcnow() + timedelta(seconds=300)
    with freeze_time(later):
        refreshed = await client.post(REFRESH, json={"refresh_token": signed.refresh_token})
        assert refreshed.status_code == 200
    again = claims_of(refreshed.json()["access_token"])
    # A refresh is no authentication: the time of the sign-in stays.
    assert again["auth_time"] == claims["auth_time"]
    assert again["iat"] > claims["iat"]


async def test_step_up_renews_the_authentication_of_the_same_session(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    signed = await sign_in()
    stale = stale_moment()
    with freeze_time(stale):
        renewed = await client.post(STEP_UP, json={"password": PASSWORD}, headers=signed.headers)
        assert renewed.status_code == 200
        body = renewed.json()
        assert set(body) == {"access_token", "token_type", "expires_in"}
        fresh = claims_of(body["access_token"])
        assert fresh["auth_time"] == int(stale.timestamp())
        assert fresh["sid"] == claims_of(signed.access_token)["sid"]
        sessions = (await client.get(f"{PROFILE}/sessions", headers=bearer(body["access_token"]))).json()
        assert len(sessions) == 1
        assert sessions[0]["current"] is True
        # The session's refresh token still works, and what it issues carries the new time.
        refreshed = await client.post(REFRESH, json={"refresh_token": signed.refresh_token})
        assert refreshed.status_code == 200
        assert claims_of(refreshed.json()["access_token"])["auth_time"] == int(stale.timestamp())


async def test_step_up_refuses_a_wrong_password_and_wants_the_code_when_two_factor_is_on(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    signed = await sign_in()
    wrong = await client.post(STEP_UP, json={"password": "Wrong-password-1"}, headers=signed.headers)
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "invalid_credentials"
    enrolled = await enrol(client, signed.headers)
    without_code = await client.post(STEP_UP, json={"password": PASSWORD}, headers=signed.headers)
    assert without_code.status_code == 422
    wrong_code = await client.post(
        STEP_UP, json={"password": PASSWORD, "passcode": "000000"}, headers=signed.headers
    )
    assert wrong_code.status_code == 401
    assert wrong_code.json()["code"] == "invalid_passcode"
    right = await client.post(
        STEP_UP,
        json={"password": PASSWORD, "passcode": totp_code(enrolled.secret, steps=1)},
        headers=signed.headers,
    )
    assert right.status_code == 200
    assert claims_of(right.json()["access_token"])["amr"] == ["pwd", "otp"]


async def test_what_is_not_sensitive_needs_no_recent_authentication(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    signed = await sign_in(Role.USER)
    admin = await sign_in(Role.ADMIN)
    with freeze_time(stale_moment()):
        renamed = await client.patch(PROFILE, json={"username": "renamed-user"}, headers=signed.headers)
        assert renamed.status_code == 200
        assert (await client.get(TWO_FACTOR, headers=signed.headers)).status_code == 200
        # Who may not act at all is told so, not asked to re-authenticate.
        forbidden = await client.post(f"{ADMIN}/{admin.user.id}/deactivate", headers=signed.headers)
        assert forbidden.status_code == 403


async def test_step_up_is_counted_with_the_password_checks(
    app_config: AppConfig, committed_users: CreateUser
) -> None:
    user = await committed_users()
    async with real_api(app_config.model_copy(update={"RATE_LIMITER_ENABLED": True})) as client:
        headers = bearer((await login(client, user.username)).json()["access_token"])
        limit = app_settings(AuthConfig).PASSWORD_CHECKS_PER_MINUTE
        statuses = [
            (await client.post(STEP_UP, json={"password": "Wrong-password-1"}, headers=headers)).status_code
            for _ in range(limit)
        ]
        assert statuses == [401] * limit
        refused = await client.post(STEP_UP, json={"password": PASSWORD}, headers=headers)
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0


def test_auth_time_of_tokens_from_before_this_claim_counts_as_old() -> None:
    """A token without `auth_time` (issued before the claim existed) never passes as recent."""
    config = AuthConfig()
    principal = Principal(1, "ann", "ann@example.com", Role.USER, True, 0)
    with pytest.raises(InsufficientUserAuthentication):
        ensure_recent_authentication(principal, config)
    recent = Principal(1, "ann", "ann@example.com", Role.USER, True, 0, auth_time=datetime.now(UTC))
    ensure_recent_authentication(recent, config)


def test_the_schema_says_which_routes_need_a_recent_authentication(app_config: AppConfig) -> None:
    paths = build_app(app_config).openapi()["paths"]
    sensitive = [
        ("post", f"{PROFILE}/password"),
        ("patch", PROFILE),
        ("delete", PROFILE),
        ("post", f"{TWO_FACTOR}/enrolment"),
        ("delete", TWO_FACTOR),
        ("post", f"{TWO_FACTOR}/recovery-codes"),
        ("post", f"{API}/profile/api-keys"),
        ("post", f"{ADMIN}/{{user_id}}/deactivate"),
        ("post", f"{ADMIN}/{{user_id}}/grant-admin"),
    ]
    for method, path in sensitive:
        unauthorized = paths[path][method]["responses"]["401"]
        assert "insufficient_user_authentication" in unauthorized["description"], path
        assert "WWW-Authenticate" in unauthorized["headers"], path
    assert "insufficient_user_authentication" not in str(paths[f"{API}/users"]["get"]["responses"])


async def test_an_api_key_cannot_step_up_nor_act_where_a_recent_sign_in_is_needed(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    signed = await sign_in()
    _, key = await new_key(client, signed.headers, ["profile:write"])
    move = {"email": "moved-by-key@example.com", "current_password": PASSWORD}
    for response in (
        await client.patch(PROFILE, json=move, headers=key),
        await client.post(STEP_UP, json={"password": PASSWORD}, headers=key),
        await client.post(f"{TWO_FACTOR}/enrolment", headers=key),
    ):
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "insufficient_scope"
    # What the key may do without a sign-in still works.
    assert (await client.patch(PROFILE, json={"username": "renamed-by-key"}, headers=key)).status_code == 200
