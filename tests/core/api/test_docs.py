"""The docs pages' assets come from the app, and their Authorize button signs in through the
login route whatever API_PREFIX is (the browser test drives both pages for real)."""

import httpx
import pytest

from app.core.config import AppConfig
from tests.factories import PASSWORD
from tests.processes import api
from tests.users import CreateUser


async def test_docs_assets_are_served_by_the_app(client: httpx.AsyncClient) -> None:
    swagger = await client.get("/docs")
    redoc = await client.get("/redoc")
    assert "/docs/assets/swagger-ui-bundle.js" in swagger.text
    assert "/docs/assets/redoc.standalone.js" in redoc.text
    for page in (swagger, redoc):
        # No CDN, no Google Fonts.
        assert "://" not in page.text
    bundle = await client.get("/docs/assets/redoc.standalone.js")
    assert bundle.status_code == 200
    assert b"Redoc" in bundle.content
    # The side menu's logo would come from Redocly's CDN.
    assert b"cdn.redoc.ly" not in bundle.content


@pytest.mark.parametrize("prefix", ["/api/v2", "/service/api"])
async def test_authorize_signs_in_through_the_login_route(
    app_config: AppConfig, committed_users: CreateUser, prefix: str
) -> None:
    user = await committed_users()
    async with api(app_config.model_copy(update={"API_PREFIX": prefix})) as (client, _):
        schema = (await client.get("/openapi.json")).json()
        flow = schema["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]["password"]
        # What the Authorize dialog posts: the password form to tokenUrl.
        form = {"username": user.username, "password": PASSWORD}
        signed_in = await client.post(flow["tokenUrl"], data=form)
    assert flow["tokenUrl"] == f"{prefix}/auth/login"
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["token_type"] == "bearer"
