"""The API docs in a real browser that reaches nothing but the API: Swagger UI lists the operations,
its Authorize dialog signs in with the password form and an authorized call goes through, and
ReDoc renders; no request leaves for another host and the pages' Content-Security-Policy blocks
nothing they need."""

import pytest
from playwright.async_api import Page, async_playwright

from tests.browser import CHROMIUM, FLAGS, Offline, needs_chromium
from tests.factories import PASSWORD
from tests.processes import api_server
from tests.users import CreateUser

pytestmark = [pytest.mark.slow, needs_chromium]
TIMEOUT = 15_000


async def authorize(page: Page, username: str) -> None:
    await page.click("button.authorize")
    # The dialog offers the password flow and an API key: sign in with the password form.
    form = page.locator(".auth-container").filter(has_text="OAuth2PasswordBearer")
    await form.locator("#oauth_username").fill(username)
    await form.locator("#oauth_password").fill(PASSWORD)
    buttons = form.locator(".auth-btn-wrapper")
    await buttons.locator("button.authorize").click()
    # Signed in: the dialog says so and offers to log out instead.
    await form.locator("h6:has-text('Authorized')").wait_for(timeout=TIMEOUT)
    await buttons.locator("button[aria-label='Remove authorization']").wait_for(timeout=TIMEOUT)
    await buttons.locator("button.btn-done").click()


async def try_profile(page: Page) -> str:
    operation = page.locator('.opblock-get:has(.opblock-summary-path[data-path="/api/v1/profile"])')
    await operation.locator(".opblock-summary").click()
    await operation.locator("button.try-out__btn").click()
    await operation.locator("button.execute").click()
    responses = operation.locator(".live-responses-table")
    await responses.locator(".response-col_status").first.wait_for(timeout=TIMEOUT)
    return await responses.inner_text()


async def test_docs_load_and_sign_in_with_no_external_request(committed_users: CreateUser) -> None:
    user = await committed_users()
    with api_server({"LOG_LEVEL": "WARNING"}) as base:
        offline = Offline(base)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            try:
                context = await browser.new_context()
                await offline.attach(context)
                swagger = await context.new_page()
                await swagger.goto(f"{base}/docs")
                await swagger.locator(".opblock-summary-path").first.wait_for(timeout=TIMEOUT)
                assert await swagger.locator(".opblock").count() > 10
                await authorize(swagger, user.username)
                answer = await try_profile(swagger)
                assert "200" in answer
                assert f'"username": "{user.username}"' in answer

                redoc = await context.new_page()
                await redoc.goto(f"{base}/redoc")
                await redoc.locator("h1").first.wait_for(timeout=TIMEOUT)
                await redoc.locator(
                    "h2:has-text('Sign in with a username or email and a password')"
                ).wait_for(timeout=TIMEOUT)
                # Its search index (a Web Worker) answers too.
                await redoc.fill("input[placeholder='Search...']", "profile")
                await redoc.locator("[data-role='search:results']").wait_for(timeout=TIMEOUT)
            finally:
                await browser.close()
    assert offline.external_requests == []
    assert offline.csp_violations == []
