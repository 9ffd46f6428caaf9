"""TOTP two-factor sign-in: enrolment, the second step, replay, recovery codes, turning it off."""

import asyncio
import base64
import hashlib
import io
import urllib.parse
from datetime import timedelta

import httpx
import jwt
from asgi_lifespan import LifespanManager
from freezegun import freeze_time
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.config import AuthConfig
from app.auth.models import RecoveryCode, UserTotp
from app.core.clock import utcnow
from app.core.config import AppConfig
from app.core.mail import MemoryBackend
from tests.auth.two_factor import TWO_FACTOR, enrol, second_step, second_step_token, totp_code
from tests.conftest import app_settings, build_app
from tests.factories import PASSWORD
from tests.logs import records
from tests.processes import api
from tests.users import API, CreateUser, SignIn, login

PROFILE = f"{API}/profile"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def subjects(backend: MemoryBackend, recipient: str) -> list[str]:
    return [str(message["Subject"]) for message in backend.sent if message["To"] == recipient]


async def test_enrolment_shows_the_secret_once_and_turns_on_only_with_a_right_code(
    client: httpx.AsyncClient, sign_in: SignIn, outbox_mail: MemoryBackend, db_session: AsyncSession
) -> None:
    signed = await sign_in()
    started = await client.post(f"{TWO_FACTOR}/enrolment", headers=signed.headers)
    assert started.status_code == 201
    body = started.json()
    secret = body["secret"]
    uri = urllib.parse.urlparse(body["otpauth_uri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert urllib.parse.parse_qs(uri.query)["secret"] == [secret]
    assert body["qr_code"].startswith("data:image/svg+xml")
    assert "<svg" in urllib.parse.unquote(body["qr_code"])
    # Stored encrypted: the secret is nowhere in the row.
    row = await db_session.scalar(select(UserTotp).where(UserTotp.user_id == signed.user.id))
    assert row is not None
    assert row.confirmed_at is None
    assert secret not in row.encrypted_secret
    assert secret.encode() not in base64.urlsafe_b64decode(row.encrypted_secret)

    # Not on yet: signing in still takes the password only.
    assert "access_token" in (await login(client, signed.user.username)).json()
    wrong = await client.post(
        f"{TWO_FACTOR}/enrolment/confirm",
        json={"passcode": totp_code(secret, steps=5)},
        headers=signed.headers,
    )
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "invalid_passcode"
    assert (await client.get(TWO_FACTOR, headers=signed.headers)).json()["enabled"] is False

    right = await client.post(
        f"{TWO_FACTOR}/enrolment/confirm", json={"passcode": totp_code(secret)}, headers=signed.headers
    )
    assert right.status_code == 200
    codes = right.json()["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    status = (await client.get(TWO_FACTOR, headers=signed.headers)).json()
    assert status["enabled"] is True
    assert status["recovery_codes_left"] == 10
    assert "Two-factor authentication is on" in subjects(outbox_mail, signed.user.email)
    # Hashed at rest, never the codes themselves.
    stored = await db_session.scalars(
        select(RecoveryCode.code_hash).where(RecoveryCode.user_id == signed.user.id)
    )
    assert set(stored) == {hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes}

    again = await client.post(f"{TWO_FACTOR}/enrolment", headers=signed.headers)
    assert again.status_code == 409


async def test_login_needs_the_second_step_and_issues_the_session_there(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    signed = await sign_in()
    enrolled = await enrol(client, signed.headers)

    first = await login(client, signed.user.username)
    assert first.status_code == 200
    challenge = first.json()
    assert set(challenge) == {"second_factor_token", "expires_in", "methods"}
    assert challenge["expires_in"] == app_settings(AuthConfig).SECOND_FACTOR_TTL
    # A wrong password is still just a wrong password.
    assert (await login(client, signed.user.username, "Wrong-password-123")).status_code == 401

    wrong = await second_step(client, challenge["second_factor_token"], "000000")
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "invalid_passcode"
    done = await second_step(client, challenge["second_factor_token"], totp_code(enrolled.secret, steps=1))
    assert done.status_code == 200, done.text
    tokens = done.json()
    assert set(tokens) == {"access_token", "refresh_token", "token_type", "expires_in"}
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["amr"] == ["pwd", "otp"]
    assert (await client.get(PROFILE, headers=bearer(tokens["access_token"]))).status_code == 200


async def test_the_second_step_token_is_no_access_token_and_expires(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    signed = await sign_in()
    enrolled = await enrol(client, signed.headers)
    token = await second_step_token(client, signed.user.username)

    refused = await client.get(PROFILE, headers=bearer(token))
    assert refused.status_code == 401
    assert refused.json()["code"] == "invalid_token"

    ttl = app_settings(AuthConfig).SECOND_FACTOR_TTL
    later = utcnow() + timedelta(seconds=ttl + 1)
    with freeze_time(later):
        expired = await second_step(client, token, totp_code(enrolled.secret, at=later))
    assert expired.status_code == 401
    assert expired.json()["code"] == "invalid_token"
    # And an access token is no second-step token.
    assert (await second_step(client, signed.access_token, totp_code(enrolled.secret, 1))).status_code == 401


async def test_a_code_is_accepted_once_per_time_step(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    signed = await sign_in()
    enrolled = await enrol(client, signed.headers)
    code = totp_code(enrolled.secret, steps=1)
    first = await second_step(client, await second_step_token(client, signed.user.username), code)
    assert first.status_code == 200
    replayed = await second_step(client, await second_step_token(client, signed.user.username), code)
    assert replayed.status_code == 401
    assert replayed.json()["code"] == "invalid_passcode"
    # An earlier step than the last one used is refused too; the next one works.
    token = await second_step_token(client, signed.user.username)
    assert (await second_step(client, token, totp_code(enrolled.secret))).status_code == 401
    later = utcnow() + timedelta(seconds=60)
    with freeze_time(later):
        fresh = await second_step(client, token, totp_code(enrolled.secret, at=later))
    assert fresh.status_code == 200


async def test_a_code_within_one_step_of_clock_skew_works_and_two_steps_do_not(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    signed = await sign_in()
    enrolled = await enrol(client, signed.headers)
    now = utcnow()
    token = await second_step_token(client, signed.user.username)
    with freeze_time(now):
        too_far = await second_step(client, token, totp_code(enrolled.secret, steps=3, at=now))
        within = await second_step(client, token, totp_code(enrolled.secret, steps=1, at=now))
    assert too_far.status_code == 401
    assert within.status_code == 200


async def test_a_recovery_code_works_once_and_its_use_is_mailed(
    client: httpx.AsyncClient, sign_in: SignIn, outbox_mail: MemoryBackend
) -> None:
    signed = await sign_in()
    enrolled = await enrol(client, signed.headers)
    code = enrolled.recovery_codes[0]
    # Typed loosely: upper case, without the hyphens.
    used = await second_step(
        client, await second_step_token(client, signed.user.username), code.upper().replace("-", " ")
    )
    assert used.status_code == 200, used.text
    notices = [m for m in outbox_mail.sent if m["Subject"] == "A recovery code was used"]
    assert [m["To"] for m in notices] == [signed.user.email]
    text = notices[0].get_body(("plain",))
    assert text is not None
    assert "9 unused codes remain" in text.get_content()
    assert code not in notices[0].as_string()

    again = await second_step(client, await second_step_token(client, signed.user.username), code)
    assert again.status_code == 401
    assert again.json()["code"] == "invalid_passcode"
    headers = bearer(used.json()["access_token"])
    assert (await client.get(TWO_FACTOR, headers=headers)).json()["recovery_codes_left"] == 9
    other = await second_step(
        client, await second_step_token(client, signed.user.username), enrolled.recovery_codes[1]
    )
    assert other.status_code == 200


async def test_regenerated_recovery_codes_replace_the_old_ones(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    signed = await sign_in()
    enrolled = await enrol(client, signed.headers)
    renewed = await client.post(f"{TWO_FACTOR}/recovery-codes", headers=signed.headers)
    assert renewed.status_code == 200
    new_codes = renewed.json()["recovery_codes"]
    assert len(new_codes) == 10
    assert not set(new_codes) & set(enrolled.recovery_codes)
    token = await second_step_token(client, signed.user.username)
    assert (await second_step(client, token, enrolled.recovery_codes[0])).status_code == 401
    assert (await second_step(client, token, new_codes[0])).status_code == 200


async def test_turning_it_off_needs_a_recent_sign_in_and_is_mailed(
    client: httpx.AsyncClient, sign_in: SignIn, outbox_mail: MemoryBackend
) -> None:
    signed = await sign_in()
    enrolled = await enrol(client, signed.headers)
    stale = utcnow() + timedelta(seconds=app_settings(AuthConfig).STEP_UP_MAX_AGE + 60)
    with freeze_time(stale):
        refused = await client.delete(TWO_FACTOR, headers=signed.headers)
        assert refused.status_code == 401
        assert refused.json()["code"] == "insufficient_user_authentication"
        assert (await client.get(TWO_FACTOR, headers=signed.headers)).json()["enabled"] is True
        # Re-authenticating takes the password and, with two-factor on, a code.
        stepped = await client.post(
            f"{API}/auth/step-up",
            json={"password": PASSWORD, "passcode": totp_code(enrolled.secret, at=stale)},
            headers=signed.headers,
        )
        assert stepped.status_code == 200, stepped.text
        headers = bearer(stepped.json()["access_token"])
        assert (await client.delete(TWO_FACTOR, headers=headers)).status_code == 204
        assert (await client.delete(TWO_FACTOR, headers=headers)).status_code == 409
    assert "Two-factor authentication is off" in subjects(outbox_mail, signed.user.email)
    # One step again at sign-in; the old recovery codes are gone with it.
    assert "access_token" in (await login(client, signed.user.username)).json()


async def test_a_password_change_retires_pending_second_steps(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    signed = await sign_in()
    enrolled = await enrol(client, signed.headers)
    token = await second_step_token(client, signed.user.username)
    changed = await client.post(
        f"{PROFILE}/password",
        json={"current_password": PASSWORD, "new_password": "Fresh-pass-word-5"},
        headers=signed.headers,
    )
    assert changed.status_code == 204
    response = await second_step(client, token, totp_code(enrolled.secret, steps=1))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


async def test_no_two_factor_secret_in_logs_or_other_responses(
    client: httpx.AsyncClient, sign_in: SignIn, log_lines: io.StringIO
) -> None:
    signed = await sign_in()
    enrolled = await enrol(client, signed.headers)
    token = await second_step_token(client, signed.user.username)
    bad = await client.post(
        f"{API}/auth/login/second-factor",
        json={"second_factor_token": token, "passcode": enrolled.recovery_codes[0] + "x" * 20},
    )
    assert bad.status_code == 422
    status = await client.get(TWO_FACTOR, headers=signed.headers)
    secrets = [enrolled.secret, *enrolled.recovery_codes, token]
    for response in (bad, status):
        assert not any(secret in response.text for secret in secrets)
    logged = log_lines.getvalue()
    assert records(log_lines), "nothing was logged: the check below proves nothing"
    assert not any(secret in logged for secret in secrets)


async def test_guessing_codes_hits_the_per_account_limit_from_any_address(
    app_config: AppConfig, committed_users: CreateUser
) -> None:
    user = await committed_users()
    config = app_config.model_copy(update={"RATE_LIMITER_ENABLED": True})
    async with LifespanManager(build_app(config)) as manager:

        def client_at(address: str) -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=manager.app, client=(address, 5000))
            return httpx.AsyncClient(transport=transport, base_url="http://testserver")

        async with client_at("10.9.2.1") as client:
            headers = bearer((await login(client, user.username)).json()["access_token"])
            enrolled = await enrol(client, headers)
            token = await second_step_token(client, user.username)
        limit = app_settings(AuthConfig).SECOND_FACTOR_ATTEMPTS_PER_ACCOUNT
        statuses = []
        for attempt in range(limit + 1):
            # A new address and a new second-step token each time: neither buys more guesses.
            async with client_at(f"10.9.3.{attempt}") as client:
                if attempt in (1, 3):
                    token = await second_step_token(client, user.username)
                guess = f"{attempt:06d}" if attempt < limit else totp_code(enrolled.secret, steps=1)
                response = await second_step(client, token, guess)
                statuses.append(response.status_code)
        assert statuses == [401] * limit + [429]
        assert response.headers["content-type"] == "application/problem+json"
        assert 0 < int(response.headers["retry-after"]) <= 300


def test_the_schema_documents_both_answers_of_login_and_the_second_step(app_config: AppConfig) -> None:
    schema = build_app(app_config).openapi()
    paths = schema["paths"]
    answer = paths[f"{API}/auth/login"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["oneOf"] == [
        {"$ref": "#/components/schemas/TokenResponse"},
        {"$ref": "#/components/schemas/SecondFactorChallenge"},
    ]
    challenge = schema["components"]["schemas"]["SecondFactorChallenge"]
    assert set(challenge["required"]) == {"second_factor_token", "expires_in", "methods"}
    second = paths[f"{API}/auth/login/second-factor"]["post"]
    assert second["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TokenResponse"
    }
    assert {"401", "422", "429"} <= set(second["responses"])


async def test_one_code_sent_to_two_processes_at_once_signs_in_once(
    app_config: AppConfig, committed_users: CreateUser
) -> None:
    user = await committed_users()
    async with api(app_config) as (first, _), api(app_config) as (second, _):
        headers = bearer((await login(first, user.username)).json()["access_token"])
        enrolled = await enrol(first, headers)
        tokens = [await second_step_token(client, user.username) for client in (first, second)]
        code = totp_code(enrolled.secret, steps=1)
        totp_race = await asyncio.gather(
            *(second_step(client, token, code) for client, token in zip((first, second), tokens, strict=True))
        )
        recovery = enrolled.recovery_codes[0]
        recovery_race = await asyncio.gather(
            *(
                second_step(client, token, recovery)
                for client, token in zip((first, second), tokens, strict=True)
            )
        )
    assert sorted(response.status_code for response in totp_race) == [200, 401]
    assert sorted(response.status_code for response in recovery_race) == [200, 401]


async def test_turning_it_on_ends_the_other_sessions(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    """Someone else who knows the password and signed in before cannot step up with it and
    turn the second factor off again."""
    owner = await sign_in()
    other = await login(client, owner.user.username)
    other_headers = bearer(other.json()["access_token"])
    assert (await client.get(PROFILE, headers=other_headers)).status_code == 200
    await enrol(client, owner.headers)
    assert (await client.get(PROFILE, headers=other_headers)).status_code == 401
    assert (await client.delete(TWO_FACTOR, headers=other_headers)).status_code == 401
    refreshed = await client.post(
        f"{API}/auth/refresh-token", json={"refresh_token": other.json()["refresh_token"]}
    )
    assert refreshed.status_code == 401
    assert (await client.get(PROFILE, headers=owner.headers)).status_code == 200


async def test_a_second_step_token_opens_one_session(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    signed = await sign_in()
    enrolled = await enrol(client, signed.headers)
    token = await second_step_token(client, signed.user.username)
    wrong = await second_step(client, token, "000000")
    assert wrong.status_code == 401  # a typo does not cost the token
    first = await second_step(client, token, enrolled.recovery_codes[0])
    assert first.status_code == 200, first.text
    again = await second_step(client, token, enrolled.recovery_codes[1])
    assert again.status_code == 401
    # Refused before it was spent: the second recovery code still works, with a new token.
    fresh = await second_step_token(client, signed.user.username)
    assert (await second_step(client, fresh, enrolled.recovery_codes[1])).status_code == 200
