"""Security headers on every kind of response the API sends: JSON, problem+json errors (the
last-resort 500 too), the kit's HTML pages and their assets; set by configuration, and a route's
own header wins."""

from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx
import pytest

from app.core.config import AppConfig
from tests.processes import api

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
HTML_PAGES = ["/api/v1/chat/demo", "/docs", "/redoc"]


def policy(response: httpx.Response) -> dict[str, str]:
    header = response.headers["content-security-policy"]
    directives = [part.strip().partition(" ") for part in header.split(";")]
    return {name: sources for name, _, sources in directives}


def assert_common_headers(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"


class PageParts(HTMLParser):
    """What a page loads and what it would run inline."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self._tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self._tag = tag
        self.inline += [f"{tag} {name}=" for name in values if name == "style" or name.startswith("on")]
        if tag == "style":
            self.inline.append("<style>")
        if tag == "script" and not values.get("src"):
            self.inline.append("<script> without src")
        for name in ("src", "href", "spec-url"):
            if values.get(name):
                self.urls.append(str(values[name]))

    def handle_data(self, data: str) -> None:
        if self._tag == "script" and data.strip():
            self.inline.append(f"<script> body {data.strip()[:40]!r}")


def page_parts(html: str) -> PageParts:
    parts = PageParts()
    parts.feed(html)
    return parts


async def test_json_response(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")
    assert response.headers["content-type"] == "application/json"
    assert_common_headers(response)
    assert response.headers["content-security-policy"] == API_POLICY
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("path", "status"), [("/api/v1/profile", 401), ("/no/such/route", 404)])
async def test_problem_json_error(client: httpx.AsyncClient, path: str, status: int) -> None:
    response = await client.get(path)
    assert (response.status_code, response.headers["content-type"]) == (status, "application/problem+json")
    assert_common_headers(response)
    assert response.headers["content-security-policy"] == API_POLICY


async def test_unhandled_error(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/widgets/boom/now")
    assert response.status_code == 500
    assert_common_headers(response)
    assert response.headers["content-security-policy"] == API_POLICY


@pytest.mark.parametrize("path", HTML_PAGES)
async def test_html_pages_load_only_their_own_assets(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.headers["content-type"].startswith("text/html")
    assert_common_headers(response)
    directives = policy(response)
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    # Scripts fall back to default-src: the app's own files only, nothing inline or evaluated.
    assert "script-src" not in directives
    assert "unsafe" not in response.headers["content-security-policy"]
    parts = page_parts(response.text)
    assert parts.inline == []
    assert parts.urls
    for url in parts.urls:
        assert "//" not in url, url
        asset = await client.get(urljoin(f"http://testserver{path}", url))
        assert asset.status_code == 200, url
        assert asset.headers["x-content-type-options"] == "nosniff"


async def test_page_assets_may_be_cached_until_they_change(client: httpx.AsyncClient) -> None:
    for url in (
        "/api/v1/chat/demo.js",
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/redoc.standalone.js",
    ):
        asset = await client.get(url)
        assert asset.headers["content-type"].startswith("text/javascript"), url
        assert asset.headers["cache-control"] == "no-cache", url
        again = await client.get(url, headers={"If-None-Match": asset.headers["etag"]})
        assert again.status_code == 304, url


async def test_headers_follow_the_settings(app_config: AppConfig) -> None:
    portal = "default-src 'self'; frame-ancestors https://portal.example"
    config = app_config.model_copy(
        update={
            "REFERRER_POLICY": "strict-origin-when-cross-origin",
            "FRAME_OPTIONS": "off",
            "CONTENT_SECURITY_POLICY": "off",
            "CONTENT_SECURITY_POLICY_HTML": portal,
        }
    )
    async with api(config) as (client, _):
        json_response = await client.get("/health/live")
        page = await client.get("/api/v1/chat/demo")
        redoc = await client.get("/redoc")
    for response in (json_response, page, redoc):
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "x-frame-options" not in response.headers
    assert "content-security-policy" not in json_response.headers
    assert page.headers["content-security-policy"] == portal
    # The docs widen the configured policy; they never replace it.
    assert policy(redoc)["frame-ancestors"] == "https://portal.example"
    assert policy(redoc)["worker-src"] == "'self' blob:"
