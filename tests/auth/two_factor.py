"""Helpers for the two-factor and step-up tests: enrolling through the API, and the codes an
authenticator app would show."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pyotp

from app.core.clock import utcnow
from tests.factories import PASSWORD
from tests.users import API, login

TWO_FACTOR = f"{API}/profile/two-factor"
SECOND_FACTOR = f"{API}/auth/login/second-factor"
STEP_UP = f"{API}/auth/step-up"


def totp_code(secret: str, steps: int = 0, at: datetime | None = None) -> str:
    """What the app shows `steps` time steps from now (or from `at`)."""
    return pyotp.TOTP(secret).at((at or utcnow()) + timedelta(seconds=30 * steps))


@dataclass
class Enrolled:
    secret: str
    recovery_codes: list[str]


async def enrol(client: httpx.AsyncClient, headers: dict[str, str]) -> Enrolled:
    """Two-factor on, as a user does it: start, then confirm the app's current code."""
    started = await client.post(f"{TWO_FACTOR}/enrolment", headers=headers)
    assert started.status_code == 201, started.text
    secret = started.json()["secret"]
    confirmed = await client.post(
        f"{TWO_FACTOR}/enrolment/confirm", json={"passcode": totp_code(secret)}, headers=headers
    )
    assert confirmed.status_code == 200, confirmed.text
    return Enrolled(secret, confirmed.json()["recovery_codes"])


async def second_step_token(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    response = await login(client, username, password)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "access_token" not in body, body
    return str(body["second_factor_token"])


async def second_step(client: httpx.AsyncClient, token: str, passcode: str) -> httpx.Response:
    return await client.post(SECOND_FACTOR, json={"second_factor_token": token, "passcode": passcode})
