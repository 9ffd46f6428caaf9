"""Without a front end (FRONTEND_URL unset) email links lead to the API's own pages, which change
nothing when opened; with one, links lead there and the pages are not served."""

import re

import httpx
import pytest

from app.core.config import AppConfig
from app.core.mail import MemoryBackend
from app.core.settings.links import DEVELOPMENT_API_URL
from tests.users import API

PAGES = f"{API}/auth/pages"
REGISTER = {"email": "page.reader@example.com", "username": "pagereader", "password": "Plenty-long-pass-42"}


@pytest.fixture
def no_frontend(app_config: AppConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_config, "FRONTEND_URL", None)


def mailed_link(backend: MemoryBackend, recipient: str, subject: str) -> str:
    for message in reversed(backend.sent):
        if message["To"] == recipient and subject in message["Subject"]:
            text = message.get_body(("plain",)).get_content()
            return str(re.findall(r"https?://[^\s()]+", text)[0])
    raise AssertionError(f"no {subject!r} email to {recipient}")


def fragment_token(link: str, page: str) -> str:
    """The token of a link to one of the API's pages: in the fragment, never in the query."""
    address, token = link.split("#token=")
    assert address == f"{DEVELOPMENT_API_URL}{PAGES}/{page}"
    return token


@pytest.mark.usefixtures("no_frontend")
async def test_verification_link_opens_a_page_that_changes_nothing_by_itself(
    client: httpx.AsyncClient, outbox_mail: MemoryBackend
) -> None:
    await client.post(f"{API}/auth/register", json=REGISTER)
    link = mailed_link(outbox_mail, REGISTER["email"], "Confirm your email")
    token = fragment_token(link, "verify-email")
    page = await client.get(link.removeprefix(DEVELOPMENT_API_URL))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["referrer-policy"] == "no-referrer"
    assert 'data-endpoint="/auth/verify-email"' in page.text
    # What the page's button posts: the opening itself verified nothing.
    verified = await client.post(f"{API}/auth/verify-email", json={"token": token})
    assert verified.status_code == 200
    assert verified.json()["email_verified"] is True


@pytest.mark.usefixtures("no_frontend")
async def test_reset_link_opens_the_password_page(
    client: httpx.AsyncClient, outbox_mail: MemoryBackend
) -> None:
    await client.post(f"{API}/auth/register", json=REGISTER)
    await client.post(f"{API}/auth/restore-password", json={"email": REGISTER["email"]})
    link = mailed_link(outbox_mail, REGISTER["email"], "Reset your password")
    token = fragment_token(link, "reset-password")
    page = await client.get(link.removeprefix(DEVELOPMENT_API_URL))
    assert page.status_code == 200
    assert 'name="new_password"' in page.text
    reset = {"token": token, "new_password": "Brand-new-pass-word-7"}
    assert (await client.post(f"{API}/auth/reset-password", json=reset)).status_code == 204


@pytest.mark.usefixtures("no_frontend")
@pytest.mark.parametrize("page", ["verify-email", "reset-password"])
async def test_pages_need_nothing_a_strict_content_security_policy_forbids(
    client: httpx.AsyncClient, page: str
) -> None:
    """`default-src 'self'`: no inline script or style, assets from the API itself."""
    markup = (await client.get(f"{PAGES}/{page}")).text
    assert re.findall(r"<script[^>]*>", markup) == ['<script src="static/pages.js" defer>']
    assert "<style" not in markup
    assert " style=" not in markup
    assert not re.search(r" on[a-z]+=", markup)
    for asset, kind in (("pages.js", "text/javascript"), ("pages.css", "text/css")):
        response = await client.get(f"{PAGES}/static/{asset}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(kind)


@pytest.mark.usefixtures("no_frontend")
@pytest.mark.parametrize("name", ["nope.js", "..%2Fpages.py", "pages.py"])
async def test_only_the_pages_assets_are_served(client: httpx.AsyncClient, name: str) -> None:
    response = await client.get(f"{PAGES}/static/{name}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_with_a_frontend_links_lead_there_and_the_pages_are_not_served(
    client: httpx.AsyncClient, outbox_mail: MemoryBackend, app_config: AppConfig
) -> None:
    assert app_config.FRONTEND_URL == "https://app.example"
    await client.post(f"{API}/auth/register", json=REGISTER)
    link = mailed_link(outbox_mail, REGISTER["email"], "Confirm your email")
    assert link.startswith("https://app.example/verify-email?token=")
    for path in ("verify-email", "reset-password", "static/pages.js"):
        assert (await client.get(f"{PAGES}/{path}")).status_code == 404, path
