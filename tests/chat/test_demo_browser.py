"""The demo page in a real browser: two pages sign in, join a room and exchange a message, under
the page's Content-Security-Policy and with no request to another host (tests/browser.py)."""

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Page, async_playwright
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import User
from app.chat.models import Room
from tests.browser import CHROMIUM, FLAGS, Offline, needs_chromium
from tests.processes import api_server

pytestmark = [pytest.mark.slow, needs_chromium]
PASSWORD = "Browser-pass-word-1"


@pytest.fixture
async def prefix(engine: AsyncEngine) -> AsyncIterator[str]:
    value = f"br{uuid.uuid4().hex[:8]}"
    yield value
    async with engine.begin() as connection:
        await connection.execute(delete(Room).where(Room.name == value))
        await connection.execute(delete(User).where(User.username.startswith(value)))


async def sign_in_and_join(page: Page, base: str, username: str, room_id: int) -> None:
    await page.goto(f"{base}/api/v1/chat/demo")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.fill("#room", str(room_id))
    await page.click("#connect")
    await page.wait_for_selector("#status:has-text('Connected to room')", timeout=10_000)


async def test_two_browser_pages_chat(prefix: str) -> None:
    with api_server({"LOG_LEVEL": "WARNING"}) as base:
        async with httpx.AsyncClient(base_url=base) as client:
            for who in ("alice", "bob"):
                user = {
                    "email": f"{prefix}{who}@example.com",
                    "username": f"{prefix}{who}",
                    "password": PASSWORD,
                }
                assert (await client.post("/api/v1/auth/register", json=user)).status_code == 201
            login = await client.post(
                "/api/v1/auth/login", data={"username": f"{prefix}alice", "password": PASSWORD}
            )
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            room_id = (
                await client.post("/api/v1/chat/rooms", json={"name": prefix}, headers=headers)
            ).json()["id"]

        offline = Offline(base)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            try:
                pages = []
                for _ in ("alice", "bob"):
                    context = await browser.new_context()
                    await offline.attach(context)
                    pages.append(await context.new_page())
                alice, bob = pages
                await sign_in_and_join(alice, base, f"{prefix}alice", room_id)
                await sign_in_and_join(bob, base, f"{prefix}bob", room_id)
                await alice.fill("#body", "hello from <b>alice</b>")
                await alice.click("#post")
                await bob.wait_for_selector("#log li:has-text('hello from <b>alice</b>')", timeout=10_000)
                await alice.wait_for_selector("#log li:has-text('hello from <b>alice</b>')", timeout=10_000)
                # Shown as text, not markup.
                assert await bob.locator("#log b").count() == 0
            finally:
                await browser.close()
    assert offline.external_requests == []
    assert offline.csp_violations == []
