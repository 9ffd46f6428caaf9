"""Scopes: one check for sessions and API keys. A session holds its role's scopes, a key its own
(within its owner's role); keys never reach account or admin routes, nor a route that names no
scope; the refusal is a 403 naming the missing scope; the OpenAPI schema documents them; and a
key's requests count against rate limits per key."""

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app.auth import Principal, Role
from app.auth.schemas import scopes
from app.core.config import AppConfig
from app.main import create_app
from tests.api_keys import KEYS, new_key
from tests.conftest import build_app
from tests.users import API, CreateUser, SignIn, login

ROOMS, PROFILE, ADMIN = f"{API}/chat/rooms", f"{API}/profile", f"{API}/admin/users"
SCOPED = f"{API}/widgets/scoped"


def assert_insufficient_scope(response: httpx.Response, missing: list[str]) -> None:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem["code"], problem["missing_scopes"]) == ("insufficient_scope", missing)
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer error="insufficient_scope"')
    if missing:
        assert f'scope="{" ".join(missing)}"' in challenge


async def test_a_chat_read_key_reads_rooms_but_cannot_post(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    owner = await sign_in()
    room = (await client.post(ROOMS, json={"name": "General"}, headers=owner.headers)).json()
    posted = await client.post(f"{ROOMS}/{room['id']}/messages", json={"body": "hi"}, headers=owner.headers)
    assert posted.status_code == 201
    _, reader = await new_key(client, owner.headers, ["chat:read"])

    assert (await client.get(ROOMS, headers=reader)).status_code == 200
    assert (await client.get(f"{ROOMS}/{room['id']}", headers=reader)).json()["name"] == "General"
    messages = (await client.get(f"{ROOMS}/{room['id']}/messages", headers=reader)).json()
    assert [message["body"] for message in messages["items"]] == ["hi"]

    refused = await client.post(f"{ROOMS}/{room['id']}/messages", json={"body": "no"}, headers=reader)
    assert_insufficient_scope(refused, ["chat:write"])
    assert refused.json()["detail"] == "This API key does not have the scope chat:write."
    assert_insufficient_scope(await client.post(ROOMS, json={"name": "Mine"}, headers=reader), ["chat:write"])
    assert_insufficient_scope(await client.get(PROFILE, headers=reader), ["profile:read"])
    after = (await client.get(f"{ROOMS}/{room['id']}/messages", headers=owner.headers)).json()
    assert after["total"] == 1

    _, writer = await new_key(client, owner.headers, ["chat:read", "chat:write"])
    written = await client.post(f"{ROOMS}/{room['id']}/messages", json={"body": "ok"}, headers=writer)
    assert written.status_code == 201


async def test_keys_never_reach_admin_account_or_unscoped_routes(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    admin, user = await sign_in(Role.SUPER_ADMIN), await sign_in()
    everything = sorted(scopes.key_scopes())
    _, key = await new_key(client, admin.headers, everything)
    assert (await client.get(PROFILE, headers=key)).status_code == 200

    for method, path in (
        ("GET", f"{ADMIN}/{user.user.id}/api-keys"),
        ("POST", f"{ADMIN}/{user.user.id}/deactivate"),
        ("POST", f"{ADMIN}/{user.user.id}/grant-admin"),
    ):
        response = await client.request(method, path, headers=key)
        assert_insufficient_scope(response, ["admin"])
        assert "API keys never hold" in response.json()["detail"]
    for method, path in (("GET", KEYS), ("POST", KEYS), ("POST", f"{API}/auth/logout-all")):
        assert_insufficient_scope(await client.request(method, path, headers=key, json={}), ["account"])
    # A route that names no scope (ActiveUser) takes sessions only.
    assert_insufficient_scope(await client.get(f"{SCOPED}/sessions-only", headers=key), [])
    assert (await client.get(f"{SCOPED}/sessions-only", headers=admin.headers)).status_code == 200
    # The admin's own session reaches all of them.
    assert (await client.get(f"{ADMIN}/{user.user.id}/api-keys", headers=admin.headers)).status_code == 200


async def test_sessions_hold_the_scopes_of_their_role(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    user, admin = await sign_in(), await sign_in(Role.ADMIN)
    refused = await client.post(f"{ADMIN}/{admin.user.id}/deactivate", headers=user.headers)
    assert_insufficient_scope(refused, ["admin"])
    assert refused.json()["detail"] == "Your role does not have the scope admin."
    assert (await client.get(f"{ADMIN}/{user.user.id}/api-keys", headers=admin.headers)).status_code == 200
    assert (await client.get(KEYS, headers=user.headers)).status_code == 200
    assert scopes.scopes_of_role(Role.USER) == scopes.key_scopes() | {"account"}
    assert scopes.scopes_of_role(Role.ADMIN) == scopes.scopes_of_role(Role.USER) | {"admin"}
    assert scopes.scopes_of_role(Role.SUPER_ADMIN) == scopes.scopes_of_role(Role.ADMIN)


@pytest.fixture
def reports_scope() -> Iterator[str]:
    """A scope keys may hold but only admins' roles have, declared for one test."""
    name = "reports:read"
    scopes.declare_scope(name, "Reports.", minimum_role=Role.ADMIN)
    yield name
    del scopes._declared[name], scopes.descriptions[name]


def test_a_key_holds_its_scopes_only_while_its_owner_role_has_them(reports_scope: str) -> None:
    admin = Principal(1, "a", "a@example.com", Role.ADMIN, True, 0)
    key = replace(
        admin, api_key_id=7, key_scopes=frozenset({reports_scope, "chat:read", "admin", "gone:away"})
    )
    # Never a scope keys may not hold, nor one nobody declares (any more).
    assert key.scopes == {reports_scope, "chat:read"}
    demoted = replace(key, role=Role.USER)
    assert demoted.scopes == {"chat:read"}
    assert replace(admin, role=Role.USER).scopes == scopes.scopes_of_role(Role.USER)


def test_the_openapi_schema_documents_the_scopes(app_config: AppConfig) -> None:
    schema = create_app(app_config).openapi()  # the installed modules only
    flows = schema["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]
    assert set(flows["password"]["scopes"]) >= {
        "profile:read",
        "users:read",
        "chat:read",
        "chat:write",
        "account",
        "admin",
    }
    api_key = schema["components"]["securitySchemes"]["APIKey"]
    assert (api_key["type"], api_key["scheme"]) == ("http", "bearer")
    paths = schema["paths"]
    assert paths[f"{API}/chat/rooms/{{room_id}}/messages"]["post"]["security"] == [
        {"OAuth2PasswordBearer": ["chat:write"]},
        {"APIKey": ["chat:write"]},
    ]
    assert paths[f"{API}/chat/rooms"]["get"]["security"] == [
        {"OAuth2PasswordBearer": ["chat:read"]},
        {"APIKey": ["chat:read"]},
    ]
    assert paths[f"{API}/admin/users/{{user_id}}/deactivate"]["post"]["security"] == [
        {"OAuth2PasswordBearer": ["admin"]}
    ]
    assert paths[f"{API}/profile/api-keys"]["post"]["security"] == [{"OAuth2PasswordBearer": ["account"]}]
    requested = schema["components"]["schemas"]["ApiKeyCreate"]["properties"]["scopes"]["items"]["enum"]
    assert set(requested) == scopes.key_scopes()
    # Every operation of the installed modules that authenticates names its scopes.
    for path, item in paths.items():
        for method, operation in item.items():
            for requirement in operation.get("security", []):
                assert all(requirement.values()), (method, path)


async def test_rate_limits_count_a_key_s_requests_per_key(
    app_config: AppConfig, committed_users: CreateUser
) -> None:
    user = await committed_users()
    application = build_app(app_config.model_copy(update={"RATE_LIMITER_ENABLED": True}))
    async with LifespanManager(application) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            session = {
                "Authorization": f"Bearer {(await login(client, user.username)).json()['access_token']}"
            }
            first = (await new_key(client, session, ["example:read"]))[1]
            second = (await new_key(client, session, ["example:read"]))[1]
            # Two a minute each: the session's budget, and each key's own.
            for headers in (first, first, second, session, session, second):
                assert (await client.get(SCOPED, headers=headers)).status_code == 200
            for headers in (first, second, session):
                assert (await client.get(SCOPED, headers=headers)).status_code == 429


async def test_an_administrator_s_key_acts_with_a_user_s_powers(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    admin, owner = await sign_in(Role.ADMIN), await sign_in()
    room = (await client.post(ROOMS, json={"name": "Owned"}, headers=owner.headers)).json()
    _, key = await new_key(client, admin.headers, ["chat:read", "chat:write", "users:read"])
    # The directory shows a key what it shows a user: public fields only.
    seen = (await client.get(f"{API}/users/{owner.user.id}", headers=key)).json()
    assert "email" not in seen
    assert "email" in (await client.get(f"{API}/users/{owner.user.id}", headers=admin.headers)).json()
    # Moderation (deleting another user's room) takes the admin session.
    assert (await client.delete(f"{ROOMS}/{room['id']}", headers=key)).status_code == 403
    assert (await client.delete(f"{ROOMS}/{room['id']}", headers=admin.headers)).status_code == 204
