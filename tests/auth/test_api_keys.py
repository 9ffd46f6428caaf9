"""API keys: shown once and never again (responses, emails, logs), usable as a bearer token,
refused cleanly when malformed, revoked, expired or when their owner is deactivated, and
recording their last use at most once a minute."""

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from freezegun import freeze_time

from app.auth import InsufficientScope, Role, auth_gateway
from app.auth.config import AuthConfig
from app.core.mail import MemoryBackend
from app.core.platform import Platform
from tests.api_keys import KEYS, bearer, new_key
from tests.conftest import app_settings
from tests.factories import PASSWORD
from tests.users import API, SignIn

PROFILE, ADMIN = f"{API}/profile", f"{API}/admin/users"


def listed_key(listing: httpx.Response, key_id: int) -> dict[str, Any] | None:
    assert listing.status_code == 200, listing.text
    return next((key for key in listing.json() if key["id"] == key_id), None)


def assert_invalid_token(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_token"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_key_is_shown_once_and_never_again(
    client: httpx.AsyncClient, sign_in: SignIn, outbox_mail: MemoryBackend, log_lines: io.StringIO
) -> None:
    owner = await sign_in(Role.ADMIN)
    created, key = await new_key(client, owner.headers, ["profile:read", "chat:read"], name="deploy bot")
    token = created["token"]
    assert token.startswith(created["prefix"] + "_")
    secret = token.removeprefix(created["prefix"] + "_")  # the secret may itself hold "_"
    assert len(secret) == 43
    assert created["prefix"].startswith("kit_pat_")
    assert (created["name"], created["scopes"]) == ("deploy bot", ["chat:read", "profile:read"])

    assert (await client.get(PROFILE, headers=key)).json()["id"] == owner.user.id
    responses = [
        await client.get(KEYS, headers=owner.headers),
        await client.get(f"{ADMIN}/{owner.user.id}/api-keys", headers=owner.headers),
        await client.get(PROFILE, headers=key),
        await client.get(PROFILE, headers=bearer(token[:-1])),
        await client.delete(f"{KEYS}/{created['id']}", headers=owner.headers),
        await client.get(PROFILE, headers=key),
    ]
    listed = responses[0].json()
    assert [item["id"] for item in listed] == [created["id"]]
    assert "token" not in listed[0]
    for response in responses:
        assert secret not in response.text, response.request.url

    # The owner is told, with the key's name and start; the key itself is in no email.
    [message] = [m for m in outbox_mail.sent if m["To"] == owner.user.email]
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "deploy bot" in text
    assert created["prefix"] in text
    assert secret not in message.as_string()
    assert KEYS in log_lines.getvalue()  # the requests were logged
    assert secret not in log_lines.getvalue()


async def test_keys_stop_at_the_next_request_once_revoked(
    client: httpx.AsyncClient,
    sign_in: SignIn,
    platform: Platform,
    access_revoked: list[dict[str, Any]],
) -> None:
    owner, other = await sign_in(), await sign_in()
    created, key = await new_key(client, owner.headers, ["profile:read"])
    kept, kept_key = await new_key(client, owner.headers, ["profile:read"])
    assert (await client.get(PROFILE, headers=key)).status_code == 200

    assert (await client.delete(f"{KEYS}/{created['id']}", headers=other.headers)).status_code == 404
    assert (await client.delete(f"{KEYS}/{created['id']}", headers=owner.headers)).status_code == 204
    refused = await client.get(PROFILE, headers=key)
    assert_invalid_token(refused)
    assert refused.json()["detail"] == "This API key was revoked."
    assert (await client.delete(f"{KEYS}/{created['id']}", headers=owner.headers)).status_code == 404
    assert listed_key(await client.get(KEYS, headers=owner.headers), created["id"]) is None
    # Other modules (WebSockets) authenticate through the gateway: the same answer there.
    gateway = auth_gateway(platform)
    assert await gateway.authenticate(created["token"], scopes=["profile:read"]) is None
    assert await gateway.authenticate(kept["token"], scopes=["profile:read"]) is not None
    # Without the scope it asks for, the gateway refuses the key as a route would.
    with pytest.raises(InsufficientScope):
        await gateway.authenticate(kept["token"], scopes=["chat:write"])
    with pytest.raises(InsufficientScope):
        await gateway.authenticate(kept["token"], scopes=[])  # no scope named: sessions only
    assert (await client.get(PROFILE, headers=kept_key)).status_code == 200
    assert access_revoked == [
        {
            "user_id": owner.user.id,
            "session_id": None,
            "reason": "api_key_revoked",
            "api_key_id": created["id"],
        }
    ]


async def test_deactivating_or_deleting_the_owner_ends_its_keys(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    admin, user, leaving = await sign_in(Role.ADMIN), await sign_in(), await sign_in()
    _, key = await new_key(client, user.headers, ["profile:read"])
    _, leaving_key = await new_key(client, leaving.headers, ["profile:read"])
    assert (await client.get(PROFILE, headers=key)).status_code == 200

    assert (await client.post(f"{ADMIN}/{user.user.id}/deactivate", headers=admin.headers)).status_code == 200
    assert_invalid_token(await client.get(PROFILE, headers=key))
    # Like its sessions, the account's keys ended for good.
    assert (await client.post(f"{ADMIN}/{user.user.id}/reactivate", headers=admin.headers)).status_code == 200
    assert_invalid_token(await client.get(PROFILE, headers=key))

    deleted = await client.request("DELETE", PROFILE, json={"password": PASSWORD}, headers=leaving.headers)
    assert deleted.status_code == 204
    assert_invalid_token(await client.get(PROFILE, headers=leaving_key))


async def test_malformed_unknown_and_forged_keys_are_a_clean_401(
    client: httpx.AsyncClient, sign_in: SignIn, platform: Platform
) -> None:
    owner = await sign_in()
    created, key = await new_key(client, owner.headers, ["profile:read"])
    token, public_id = created["token"], created["prefix"].removeprefix("kit_pat_")
    assert (await client.get(PROFILE, headers=key)).status_code == 200
    secret = token.removeprefix(created["prefix"] + "_")  # the secret may itself hold "_"
    forged_secret = ("B" if secret[0] == "A" else "A") + secret[1:]
    candidates: list[str | bytes] = [
        token[:-1],  # truncated
        token[:20],
        token + "A",
        "kit_pat_",
        f"kit_pat_{public_id}_{forged_secret}",  # the right id, another secret
        f"kit_pat_{'0' * 16}_{secret}",  # an unknown id
        f"kit_pat_{public_id.upper()}_{secret}",
        "kit_pak_" + token.removeprefix("kit_pat_"),  # wrong prefixes
        "KIT_PAT_" + token.removeprefix("kit_pat_"),
        "ghp_" + token.removeprefix("kit_pat_"),
        secret,
        "kit_pat_" + "'; DROP TABLE api_key; --",
        b"kit_pat_" + "\u00e9".encode("latin-1") * 60,  # not ASCII
    ]
    gateway = auth_gateway(platform)
    for candidate in candidates:
        raw = candidate if isinstance(candidate, bytes) else candidate.encode()
        assert_invalid_token(await client.get(PROFILE, headers={b"Authorization": b"Bearer " + raw}))
        if isinstance(candidate, str):
            assert await gateway.authenticate(candidate, scopes=[]) is None
    assert (await client.get(PROFILE, headers=key)).status_code == 200


async def test_a_key_stops_when_it_expires(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    owner = await sign_in()
    created, key = await new_key(client, owner.headers, ["profile:read"], expires_in_days=1)
    start = datetime.now(UTC)
    expires_at = datetime.fromisoformat(created["expires_at"])
    assert timedelta(hours=23, minutes=59) < expires_at - start <= timedelta(days=1)
    with freeze_time(expires_at - timedelta(seconds=1)):
        assert (await client.get(PROFILE, headers=key)).status_code == 200
    with freeze_time(expires_at):
        refused = await client.get(PROFILE, headers=key)
    assert_invalid_token(refused)
    assert refused.json()["detail"] == "This API key has expired."
    never = (await new_key(client, owner.headers, ["profile:read"]))[0]
    assert never["expires_at"] is None


async def test_last_use_is_recorded_at_most_once_a_minute(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    owner = await sign_in()
    created, key = await new_key(client, owner.headers, ["profile:read"])
    assert created["last_used_at"] is None

    async def last_used() -> datetime | None:
        item = listed_key(await client.get(KEYS, headers=owner.headers), created["id"])
        assert item is not None
        return datetime.fromisoformat(item["last_used_at"]) if item["last_used_at"] else None

    assert await last_used() is None
    start = datetime.now(UTC)
    for moment, recorded in (
        (start, start),
        (start + timedelta(seconds=30), start),
        (start + timedelta(seconds=59), start),
        (start + timedelta(seconds=61), start + timedelta(seconds=61)),
    ):
        with freeze_time(moment):
            assert (await client.get(PROFILE, headers=key)).status_code == 200
        assert await last_used() == recorded
    # Used on a route it may not reach is no use.
    with freeze_time(start + timedelta(minutes=5)):
        assert (await client.get(f"{API}/users", headers=key)).status_code == 403
    assert await last_used() == start + timedelta(seconds=61)


async def test_creation_checks_its_input(
    client: httpx.AsyncClient, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await sign_in(Role.SUPER_ADMIN)
    for body in (
        {"name": "x", "scopes": ["admin"]},
        {"name": "x", "scopes": ["account"]},
        {"name": "x", "scopes": ["chat:read", "chat:delete"]},
        {"name": "x", "scopes": []},
        {"name": "   ", "scopes": ["chat:read"]},
        {"name": "two\nlines", "scopes": ["chat:read"]},
        {"name": "x", "scopes": ["chat:read"], "expires_in_days": 0},
        {"name": "x", "scopes": ["chat:read"], "expires_in_days": 367},
        {"name": "x", "scopes": ["chat:read"], "role": "admin"},
    ):
        response = await client.post(KEYS, json=body, headers=owner.headers)
        assert response.status_code == 422, body

    monkeypatch.setattr(app_settings(AuthConfig), "API_KEYS_PER_USER", 2)
    first = (await new_key(client, owner.headers, ["chat:read"]))[0]
    await new_key(client, owner.headers, ["chat:read", "chat:read"])
    refused = await client.post(KEYS, json={"name": "third", "scopes": ["chat:read"]}, headers=owner.headers)
    assert refused.status_code == 409
    assert refused.json()["code"] == "api_key_limit_reached"
    assert (await client.delete(f"{KEYS}/{first['id']}", headers=owner.headers)).status_code == 204
    await new_key(client, owner.headers, ["chat:read"])


async def test_admins_list_and_revoke_their_subordinates_keys(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    admin, user, peer = await sign_in(Role.ADMIN), await sign_in(), await sign_in(Role.ADMIN)
    first, first_key = await new_key(client, user.headers, ["profile:read"])
    second, second_key = await new_key(client, user.headers, ["chat:read", "profile:read"])
    keys_of = f"{ADMIN}/{user.user.id}/api-keys"

    listed = (await client.get(keys_of, headers=admin.headers)).json()
    assert [key["id"] for key in listed] == [second["id"], first["id"]]
    assert all("token" not in key for key in listed)
    assert (await client.delete(f"{keys_of}/{first['id']}", headers=admin.headers)).status_code == 204
    assert_invalid_token(await client.get(PROFILE, headers=first_key))
    assert (await client.get(PROFILE, headers=second_key)).status_code == 200
    revoked = await client.delete(keys_of, headers=admin.headers)
    assert revoked.json() == {"revoked": 1}
    assert_invalid_token(await client.get(PROFILE, headers=second_key))

    # Within the role hierarchy only; never with a user's session.
    assert (await client.get(f"{ADMIN}/{peer.user.id}/api-keys", headers=admin.headers)).status_code == 403
    assert (await client.get(f"{ADMIN}/999999999/api-keys", headers=admin.headers)).status_code == 404
    refused = await client.get(keys_of, headers=user.headers)
    assert refused.status_code == 403
    assert (refused.json()["code"], refused.json()["missing_scopes"]) == ("insufficient_scope", ["admin"])
