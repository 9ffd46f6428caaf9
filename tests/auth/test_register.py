"""POST /auth/register and email verification."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from freezegun import freeze_time
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.config import AuthConfig
from app.core.mail import MemoryBackend
from tests.conftest import app_settings
from tests.factories import UserFactory
from tests.users import API, link_token, login

REGISTER = f"{API}/auth/register"
GOOD = {"email": "  New.Person@Example.COM ", "username": "NewPerson", "password": "Plenty-long-pass-42"}


async def test_register_creates_an_unverified_user(client: httpx.AsyncClient) -> None:
    response = await client.post(REGISTER, json=GOOD)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "new.person@example.com"
    assert body["username"] == "newperson"
    assert body["role"] == "user"
    assert body["email_verified"] is False
    assert set(body) == {
        "id",
        "username",
        "email",
        "role",
        "is_active",
        "email_verified",
        "created_at",
        "updated_at",
    }
    assert (await login(client, "new.person@example.com", GOOD["password"])).status_code == 200


async def test_registration_mails_a_verification_link_that_works_once(
    client: httpx.AsyncClient, outbox_mail: MemoryBackend
) -> None:
    await client.post(REGISTER, json=GOOD)
    token = link_token(outbox_mail, "new.person@example.com", "https://app.example/verify-email")
    verified = await client.post(f"{API}/auth/verify-email", json={"token": token})
    assert verified.status_code == 200
    assert verified.json()["email_verified"] is True
    again = await client.post(f"{API}/auth/verify-email", json={"token": token})
    assert again.status_code == 401


async def test_verification_link_expires(client: httpx.AsyncClient, outbox_mail: MemoryBackend) -> None:
    await client.post(REGISTER, json=GOOD)
    token = link_token(outbox_mail, "new.person@example.com", "https://app.example/verify-email")
    with freeze_time(datetime.now(UTC) + timedelta(hours=49)):
        assert (await client.post(f"{API}/auth/verify-email", json={"token": token})).status_code == 401


async def test_resend_is_always_202_and_sends_only_when_due(
    client: httpx.AsyncClient, outbox_mail: MemoryBackend, db_session: AsyncSession
) -> None:
    verified = await UserFactory.create_async()
    unverified = await UserFactory.create_async(email_verified_at=None)
    answers = []
    for email in (verified.email, unverified.email, "nobody@example.com"):
        response = await client.post(f"{API}/auth/verify-email/resend", json={"email": email})
        answers.append((response.status_code, response.json()))
    assert len(set(map(str, answers))) == 1
    assert answers[0][0] == 202
    assert [message["To"] for message in outbox_mail.sent] == [unverified.email]
    del db_session


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"password": "short1!"}, "password"),
        ({"password": "x" * 129}, "password"),
        ({"password": "Password123"}, "password"),
        ({"password": "newperson"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"username": "no spaces allowed"}, "username"),
        ({"username": "ab"}, "username"),
        ({"role": "super_admin"}, "role"),
        ({"is_active": False}, "is_active"),
    ],
)
async def test_invalid_registrations_are_422(
    client: httpx.AsyncClient, changes: dict[str, object], field: str
) -> None:
    response = await client.post(REGISTER, json={**GOOD, **changes})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert any(error["loc"][-1] == field for error in response.json()["errors"])
    assert GOOD["password"] not in response.text
    if "password" in changes:
        assert str(changes["password"]) not in response.text


async def test_taken_email_or_username_is_409(client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    existing = await UserFactory.create_async(username="taken", email="taken@example.com")
    for changes in ({"email": "TAKEN@example.com"}, {"username": "Taken"}):
        response = await client.post(REGISTER, json={**GOOD, **changes})
        assert response.status_code == 409
        assert response.json()["code"] == "already_taken"
    del existing, db_session


async def test_registration_can_be_closed(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    closed = AuthConfig(REGISTRATION_ALLOWED=False)
    monkeypatch.setattr(app_settings(AuthConfig), "REGISTRATION_ALLOWED", closed.REGISTRATION_ALLOWED)
    response = await client.post(REGISTER, json=GOOD)
    assert response.status_code == 403
    assert response.json()["code"] == "registration_closed"
