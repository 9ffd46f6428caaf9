"""What a deployment serves with no extra configuration: no API map, no metrics or demo page for
anyone, no Host header the app did not name, nothing a cache may keep; and each can be turned on."""

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from pydantic import SecretStr

from app.core.config import AppConfig, Environment
from tests.factories import PASSWORD
from tests.processes import api
from tests.users import Signed, login

STRONG_KEY = SecretStr("k" * 48)
PUBLIC_EXTRAS = [
    "/docs",
    "/redoc",
    "/docs/assets/swagger-ui-bundle.js",
    "/docs/assets/redoc.standalone.js",
    "/openapi.json",
    "/metrics",
    "/api/v1/chat/demo",
    "/api/v1/chat/demo.js",
    "/",
]


def deployed(app_config: AppConfig, environment: Environment, **settings: Any) -> AppConfig:
    return app_config.model_copy(update={"ENVIRONMENT": environment, "SECRET_KEY": STRONG_KEY, **settings})


async def test_production_serves_no_docs_metrics_or_demo_by_default(app_config: AppConfig) -> None:
    for environment in (Environment.STAGING, Environment.PRODUCTION):
        async with api(deployed(app_config, environment)) as (client, _):
            statuses = {path: (await client.get(path)).status_code for path in PUBLIC_EXTRAS}
            assert statuses == dict.fromkeys(PUBLIC_EXTRAS, 404), environment
            assert (await client.get("/health/live")).status_code == 200


async def test_docs_and_metrics_can_be_enabled_in_production(app_config: AppConfig) -> None:
    config = deployed(
        app_config, Environment.PRODUCTION, DOCS_ENABLED=True, METRICS_TOKEN=SecretStr("scrape-" + "m" * 32)
    )
    async with api(config) as (client, _):
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await client.get(path)).status_code == 200, path
        anonymous = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer scrape-nope"})
        scraper = await client.get("/metrics", headers={"Authorization": f"Bearer scrape-{'m' * 32}"})
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert wrong.status_code == 401
    assert scraper.status_code == 200
    assert "http_requests_total" in scraper.text


async def test_development_conveniences_stay_on(client: httpx.AsyncClient) -> None:
    for path in ("/docs", "/openapi.json", "/metrics", "/api/v1/chat/demo"):
        assert (await client.get(path)).status_code == 200, path


async def test_the_default_trusted_hosts_refuse_a_forged_host(app_config: AppConfig) -> None:
    default_hosts = AppConfig.model_fields["TRUSTED_HOSTS"].get_default(call_default_factory=True)
    assert "*" not in default_hosts
    async with api(app_config.model_copy(update={"TRUSTED_HOSTS": default_hosts})) as (client, _):
        # A trailing-slash redirect is built from the Host header: it must not point elsewhere.
        forged = await client.get("/api/v1/widgets/", headers={"Host": "evil.example"})
        local = await client.get("/api/v1/widgets/", headers={"Host": "localhost"})
    assert forged.status_code == 400
    assert "location" not in forged.headers
    assert local.status_code == 307
    assert local.headers["location"].startswith("http://localhost/")


async def test_token_and_profile_responses_are_not_stored(
    client: httpx.AsyncClient, sign_in: Callable[..., Awaitable[Signed]]
) -> None:
    user = await sign_in()
    tokens = await login(client, user.user.username, PASSWORD)
    profile = await client.get("/api/v1/profile", headers=user.headers)
    refused = await client.get("/api/v1/profile")
    assert (tokens.status_code, profile.status_code, refused.status_code) == (200, 200, 401)
    for response in (tokens, profile, refused):
        assert response.headers["cache-control"] == "no-store", response.request.url
    assert "strict-transport-security" not in profile.headers


async def test_hsts_when_configured(app_config: AppConfig) -> None:
    async with api(app_config.model_copy(update={"HSTS_MAX_AGE": 31_536_000})) as (client, _):
        response = await client.get("/health/live")
    assert response.headers["strict-transport-security"] == "max-age=31536000"
