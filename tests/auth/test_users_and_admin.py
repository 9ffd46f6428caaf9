"""The user directory and administration: visibility, BOLA and the role hierarchy."""

import httpx
import pytest

from app.auth.models import Role
from tests.factories import PASSWORD, UserFactory
from tests.users import API, SignIn, login

USERS, ADMIN = f"{API}/users", f"{API}/admin/users"


async def test_users_see_public_fields_admins_see_everything(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    user, admin = await sign_in(), await sign_in(Role.ADMIN)
    hidden = await UserFactory.create_async(is_active=False)
    public = (await client.get(USERS, headers=user.headers, params={"per_page": 100})).json()
    assert all(set(item) == {"id", "username", "created_at"} for item in public["items"])
    assert hidden.id not in {item["id"] for item in public["items"]}
    full = (await client.get(USERS, headers=admin.headers, params={"per_page": 100})).json()
    assert {item["id"] for item in full["items"]} >= {user.user.id, admin.user.id, hidden.id}
    assert all("email" in item for item in full["items"])

    assert set((await client.get(f"{USERS}/{admin.user.id}", headers=user.headers)).json()) == {
        "id",
        "username",
        "created_at",
    }
    assert "email" in (await client.get(f"{USERS}/{user.user.id}", headers=user.headers)).json()
    assert (await client.get(f"{USERS}/{hidden.id}", headers=user.headers)).status_code == 404
    assert (await client.get(f"{USERS}/{hidden.id}", headers=admin.headers)).status_code == 200


async def test_ordinary_users_cannot_probe_private_fields(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    user, admin = await sign_in(), await sign_in(Role.ADMIN)
    for params in ({"filters": "email:ilike:a%"}, {"sort": "email"}, {"filters": "role:admin"}):
        assert (await client.get(USERS, headers=user.headers, params=params)).status_code == 422
        assert (await client.get(USERS, headers=admin.headers, params=params)).status_code == 200


async def test_list_params_work_on_users(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    signed = await sign_in()
    for name in ("zed", "amy", "bob"):
        await UserFactory.create_async(username=name)
    page = (
        await client.get(
            USERS,
            headers=signed.headers,
            params={"filters": "username:[zed,amy,bob]", "sort": "username:desc", "per_page": 2},
        )
    ).json()
    assert [item["username"] for item in page["items"]] == ["zed", "bob"]
    assert (page["total"], page["pages"]) == (3, 2)


async def test_deactivation_ends_access_and_sessions(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    admin, user = await sign_in(Role.ADMIN), await sign_in()
    response = await client.post(f"{ADMIN}/{user.user.id}/deactivate", headers=admin.headers)
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert (await client.get(f"{API}/profile", headers=user.headers)).status_code == 401
    assert (
        await client.post(f"{API}/auth/refresh-token", json={"refresh_token": user.refresh_token})
    ).status_code == 401
    assert (await login(client, user.user.username)).status_code == 401
    assert (await client.post(f"{ADMIN}/{user.user.id}/reactivate", headers=admin.headers)).status_code == 200
    assert (await login(client, user.user.username)).status_code == 200


@pytest.mark.parametrize(
    ("actor", "target", "action", "expected"),
    [
        (Role.USER, Role.USER, "deactivate", 403),
        (Role.ADMIN, Role.USER, "deactivate", 200),
        (Role.ADMIN, Role.ADMIN, "deactivate", 403),
        (Role.ADMIN, Role.SUPER_ADMIN, "deactivate", 403),
        (Role.SUPER_ADMIN, Role.ADMIN, "deactivate", 200),
        (Role.SUPER_ADMIN, Role.SUPER_ADMIN, "deactivate", 403),
        (Role.ADMIN, Role.USER, "grant-admin", 403),
        (Role.SUPER_ADMIN, Role.USER, "grant-admin", 200),
        (Role.SUPER_ADMIN, Role.ADMIN, "revoke-admin", 200),
        (Role.SUPER_ADMIN, Role.SUPER_ADMIN, "revoke-admin", 403),
    ],
)
async def test_role_hierarchy(
    client: httpx.AsyncClient, sign_in: SignIn, actor: Role, target: Role, action: str, expected: int
) -> None:
    acting = await sign_in(actor)
    victim = await UserFactory.create_async(role=target.value)
    response = await client.post(f"{ADMIN}/{victim.id}/{action}", headers=acting.headers)
    assert response.status_code == expected, response.text


async def test_nobody_acts_on_themselves(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    boss = await sign_in(Role.SUPER_ADMIN)
    for action in ("deactivate", "revoke-admin", "grant-admin"):
        assert (
            await client.post(f"{ADMIN}/{boss.user.id}/{action}", headers=boss.headers)
        ).status_code == 403


async def test_last_super_admin_cannot_delete_themselves(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    boss = await sign_in(Role.SUPER_ADMIN)
    response = await client.request(
        "DELETE", f"{API}/profile", json={"password": PASSWORD}, headers=boss.headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "last_super_admin"
    await UserFactory.create_async(role=Role.SUPER_ADMIN.value)
    response = await client.request(
        "DELETE", f"{API}/profile", json={"password": PASSWORD}, headers=boss.headers
    )
    assert response.status_code == 204


async def test_admins_create_lower_roles_only(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    admin = await sign_in(Role.ADMIN)
    body = {"email": "made@example.com", "username": "made", "password": "Made-by-admin-1"}
    created = await client.post(ADMIN, json=body, headers=admin.headers)
    assert created.status_code == 201
    assert created.json()["email_verified"] is True
    peer = await client.post(
        ADMIN,
        json={**body, "username": "peer", "email": "peer@example.com", "role": "admin"},
        headers=admin.headers,
    )
    assert peer.status_code == 403


async def test_admin_sets_subordinate_passwords_only(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    admin, user = await sign_in(Role.ADMIN), await sign_in()
    other_admin = await UserFactory.create_async(role=Role.ADMIN.value)
    new = {"password": "Set-by-admin-77"}
    assert (
        await client.post(f"{ADMIN}/{user.user.id}/password", json=new, headers=admin.headers)
    ).status_code == 204
    assert (await login(client, user.user.username, new["password"])).status_code == 200
    assert (await client.get(f"{API}/profile", headers=user.headers)).status_code == 401
    assert (
        await client.post(f"{ADMIN}/{other_admin.id}/password", json=new, headers=admin.headers)
    ).status_code == 403


async def test_unknown_target_is_404(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    admin = await sign_in(Role.ADMIN)
    assert (await client.post(f"{ADMIN}/99999999/deactivate", headers=admin.headers)).status_code == 404
