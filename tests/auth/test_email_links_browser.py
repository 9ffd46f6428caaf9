"""The links of the verification and password reset emails, copied from the worker's output as the
console backend prints it, opened in headless Chromium with no front end configured: the API's own
pages confirm the address and set the new password, under a `default-src 'self'` policy."""

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Page, Route
from sqlalchemy import Text, cast, delete
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import User
from app.core.config import AppConfig
from app.core.outbox import OutboxMessage
from tests.browser import chromium, needs_chromium
from tests.processes import Process, api_server, worker, worker_env

pytestmark = [pytest.mark.slow, needs_chromium]
PASSWORD = "Browser-pass-word-1"
NEW_PASSWORD = "Another-pass-word-2"
RULE = "-" * 72
URL = re.compile(r"https?://[^\s()<>\"]+")
STRICT_CSP = "default-src 'self'"


@pytest.fixture
async def prefix(engine: AsyncEngine) -> AsyncIterator[str]:
    value = f"ml{uuid.uuid4().hex[:8]}"
    yield value
    async with engine.begin() as connection:
        await connection.execute(
            delete(OutboxMessage).where(cast(OutboxMessage.payload, Text).contains(value))
        )
        await connection.execute(delete(User).where(User.username.startswith(value)))


def printed_emails(process: Process, recipient: str) -> list[list[str]]:
    """The emails to `recipient` in the process's output, each as its printed lines."""
    emails: list[list[str]] = []
    current: list[str] | None = None
    for line in list(process.lines):
        if line != RULE:
            if current is not None:
                current.append(line)
        elif current is None:
            current = []
        else:
            if f"To: {recipient}" in current:
                emails.append(current)
            current = None
    return emails


async def printed_link(process: Process, recipient: str, subject: str) -> str:
    """The first link of the email to `recipient` whose subject has `subject`, as printed."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for email in printed_emails(process, recipient):
            if any(line.startswith("Subject:") and subject in line for line in email):
                for line in email:
                    if match := URL.search(line):
                        return match.group()
        await asyncio.sleep(0.1)
    raise AssertionError(f"no email {subject!r} to {recipient} printed:\n{process.output()[-4000:]}")


async def under_strict_csp(route: Route) -> None:
    """Every response as the API's HTML pages will be served: scripts and styles from the page's
    own origin only, nothing inline."""
    response = await route.fetch()
    await route.fulfill(
        response=response, headers={**response.headers, "content-security-policy": STRICT_CSP}
    )


async def open_link(page: Page, link: str, problems: list[str]) -> None:
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    await page.route("**/*", under_strict_csp)
    await page.goto(link)
    # The token left the address bar (and the history) as soon as the page read it.
    assert "token" not in page.url


async def profile(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    login = await client.post("/api/v1/auth/login", data={"username": username, "password": password})
    if login.status_code != 200:
        return login
    return await client.get(
        "/api/v1/profile", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
    )


async def test_printed_links_verify_the_address_and_reset_the_password(
    prefix: str, app_config: AppConfig
) -> None:
    username, email = f"{prefix}zoe", f"{prefix}.zoe@example.com"
    # No front end: links lead to the API's pages. The mail is printed by the worker, as in `make run`.
    env = {
        "QUEUE_BROKER": "redis",
        "QUEUE_NAME": f"tasks-{prefix}",
        "MAIL_BACKEND": "console",
        "FRONTEND_URL": "",
    }
    with (
        api_server({**env, "LOG_LEVEL": "WARNING"}) as base,
        worker(worker_env(app_config, **env, PUBLIC_API_URL=base)) as mailer,
    ):
        async with httpx.AsyncClient(base_url=base) as client, chromium() as browser:
            user = {"email": email, "username": username, "password": PASSWORD}
            assert (await client.post("/api/v1/auth/register", json=user)).status_code == 201

            problems: list[str] = []
            page = await (await browser.new_context()).new_page()
            await open_link(page, await printed_link(mailer, email, "Confirm your email"), problems)
            await page.wait_for_selector("#submit")
            # Opening the link (what a mail scanner does) confirmed nothing.
            assert (await profile(client, username, PASSWORD)).json()["email_verified"] is False
            await page.click("#submit")
            await page.wait_for_selector("#status:has-text('is confirmed')", timeout=10_000)
            assert await page.locator("#action").is_hidden()
            assert (await profile(client, username, PASSWORD)).json()["email_verified"] is True

            restore = await client.post("/api/v1/auth/restore-password", json={"email": email})
            assert restore.status_code == 202
            page = await (await browser.new_context()).new_page()
            await open_link(page, await printed_link(mailer, email, "Reset your password"), problems)
            await page.fill("#new_password", NEW_PASSWORD)
            await page.fill("#repeat", NEW_PASSWORD)
            await page.click("#submit")
            await page.wait_for_selector("#status:has-text('password was changed')", timeout=10_000)
            assert await page.locator("#action").is_hidden()

            assert (await profile(client, username, PASSWORD)).status_code == 401
            signed_in = await profile(client, username, NEW_PASSWORD)
            assert signed_in.status_code == 200
            assert signed_in.json()["email"] == email
            assert problems == []
