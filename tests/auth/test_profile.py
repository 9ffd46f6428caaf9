"""/profile: the caller's own account."""

import httpx

from app.core.mail import MemoryBackend
from tests.factories import PASSWORD, UserFactory
from tests.users import API, SignIn, link_token, login

PROFILE = f"{API}/profile"
NEW = "Brand-new-password-99"


async def test_get_profile_shows_private_fields_and_no_secrets(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    signed = await sign_in()
    body = (await client.get(PROFILE, headers=signed.headers)).json()
    assert body["email"] == signed.user.email
    assert not {"password", "password_hash", "token_version"} & set(body)


async def test_rename(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    signed = await sign_in()
    response = await client.patch(PROFILE, json={"username": "Renamed"}, headers=signed.headers)
    assert response.status_code == 200
    assert response.json()["username"] == "renamed"
    assert (await login(client, "renamed")).status_code == 200


async def test_email_change_needs_the_password_and_a_new_verification(
    client: httpx.AsyncClient, sign_in: SignIn, outbox_mail: MemoryBackend
) -> None:
    signed = await sign_in()
    without = await client.patch(PROFILE, json={"email": "new@example.com"}, headers=signed.headers)
    assert without.status_code == 422
    wrong = await client.patch(
        PROFILE,
        json={"email": "new@example.com", "current_password": "Wrong-pass-123"},
        headers=signed.headers,
    )
    assert wrong.status_code == 401
    changed = await client.patch(
        PROFILE, json={"email": "new@example.com", "current_password": PASSWORD}, headers=signed.headers
    )
    assert changed.status_code == 200
    assert changed.json()["email_verified"] is False
    assert outbox_mail.sent[-1]["To"] == "new@example.com"


async def test_email_change_retires_reset_links_and_tells_the_old_address(
    client: httpx.AsyncClient, sign_in: SignIn, outbox_mail: MemoryBackend
) -> None:
    signed = await sign_in()
    old_address = signed.user.email
    await client.post(f"{API}/auth/restore-password", json={"email": old_address})
    token = link_token(outbox_mail, old_address, "https://app.example/reset-password")
    changed = await client.patch(
        PROFILE, json={"email": "moved@example.com", "current_password": PASSWORD}, headers=signed.headers
    )
    assert changed.status_code == 200

    reset = await client.post(f"{API}/auth/reset-password", json={"token": token, "new_password": NEW})
    assert reset.status_code == 401
    notice = [m for m in outbox_mail.sent if m["To"] == old_address and "address was changed" in m["Subject"]]
    assert len(notice) == 1
    # Whoever reads the old mailbox now may not be the owner: the new address is not revealed.
    assert "moved@example.com" not in notice[0].as_string()


async def test_mass_assignment_is_rejected(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    signed = await sign_in()
    for field, value in (("role", "super_admin"), ("is_active", True), ("email_verified", True), ("id", 1)):
        response = await client.patch(PROFILE, json={field: value}, headers=signed.headers)
        assert response.status_code == 422, field
    assert (await client.get(PROFILE, headers=signed.headers)).json()["role"] == "user"


async def test_taken_username_is_409(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    other = await UserFactory.create_async()
    signed = await sign_in()
    response = await client.patch(PROFILE, json={"username": other.username}, headers=signed.headers)
    assert response.status_code == 409


async def test_password_change_keeps_this_session_and_ends_the_others(
    client: httpx.AsyncClient, sign_in: SignIn, outbox_mail: MemoryBackend
) -> None:
    signed = await sign_in()
    other = (await login(client, signed.user.username)).json()
    wrong = await client.post(
        f"{PROFILE}/password",
        json={"current_password": "nope-nope-1", "new_password": "Fresh-pass-word-5"},
        headers=signed.headers,
    )
    assert wrong.status_code == 401
    response = await client.post(
        f"{PROFILE}/password",
        json={"current_password": PASSWORD, "new_password": "Fresh-pass-word-5"},
        headers=signed.headers,
    )
    assert response.status_code == 204
    refresh = f"{API}/auth/refresh-token"
    assert (await client.post(refresh, json={"refresh_token": other["refresh_token"]})).status_code == 401
    mine = await client.post(refresh, json={"refresh_token": signed.refresh_token})
    assert mine.status_code == 200
    # Earlier access tokens, this session's included, are retired.
    assert (await client.get(PROFILE, headers=signed.headers)).status_code == 401
    assert outbox_mail.sent[-1]["Subject"] == "Your password was changed"


async def test_delete_needs_the_password_and_frees_the_names(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    signed = await sign_in()
    wrong = await client.request(
        "DELETE", PROFILE, json={"password": "Wrong-pass-123"}, headers=signed.headers
    )
    assert wrong.status_code == 401
    response = await client.request("DELETE", PROFILE, json={"password": PASSWORD}, headers=signed.headers)
    assert response.status_code == 204
    assert (await client.get(PROFILE, headers=signed.headers)).status_code == 401
    assert (await login(client, signed.user.username)).status_code == 401
    again = await client.post(
        f"{API}/auth/register",
        json={
            "email": signed.user.email,
            "username": signed.user.username,
            "password": "Another-good-pass-1",
        },
    )
    assert again.status_code == 201
