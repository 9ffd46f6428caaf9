"""The raw twins of the benchmark (bench/twins.py) answer what the kit's routes answer, byte for
byte, for the same inputs: a benchmark comparing a route with its twin compares the same work."""

import httpx
from redis.asyncio import Redis

from app.auth.models import Role
from app.auth.services.access import PRINCIPAL_KEY
from tests.users import API, CreateUser, login

KIT = f"{API}/users"
TWIN = "/bench/twin/users"


async def bearer(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await login(client, username)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def both(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """The kit's answer to `path`, after checking that its twin answers the same."""
    kit = await client.get(f"{KIT}{path}", headers=headers)
    twin = await client.get(f"{TWIN}{path}", headers=headers)
    assert (twin.status_code, twin.headers["content-type"]) == (kit.status_code, kit.headers["content-type"])
    if kit.status_code == 200:
        assert twin.content == kit.content
    return kit.status_code, kit.content


async def test_get_user_twin_answers_the_kit_bytes(
    bench_client: httpx.AsyncClient, committed_users: CreateUser, prefix: str
) -> None:
    viewer = await committed_users(username=f"{prefix}-viewer")
    other = await committed_users(username=f"{prefix}-other")
    gone = await committed_users(username=f"{prefix}-gone", is_active=False)
    admin = await committed_users(Role.ADMIN, username=f"{prefix}-admin")
    as_viewer = await bearer(bench_client, viewer.username)
    as_admin = await bearer(bench_client, admin.username)

    status, own = await both(bench_client, f"/{viewer.id}", as_viewer)
    assert status == 200
    assert b'"email"' in own  # the owner's view
    status, public = await both(bench_client, f"/{other.id}", as_viewer)
    assert status == 200
    assert b'"email"' not in public
    assert (await both(bench_client, f"/{other.id}", as_admin))[0] == 200
    assert (await both(bench_client, f"/{gone.id}", as_admin))[0] == 200
    assert (await both(bench_client, f"/{gone.id}", as_viewer))[0] == 404
    assert (await both(bench_client, "/999999999", as_viewer))[0] == 404
    assert (await both(bench_client, f"/{viewer.id}", {"Authorization": "Bearer nope"}))[0] == 401
    assert (await both(bench_client, f"/{viewer.id}", {}))[0] == 401


async def test_list_users_twin_answers_the_kit_bytes(
    bench_client: httpx.AsyncClient, committed_users: CreateUser, prefix: str
) -> None:
    viewer = await committed_users(username=f"{prefix}-a")
    for name in ("b", "c", "d", "e"):
        await committed_users(username=f"{prefix}-{name}")
    await committed_users(username=f"{prefix}-f", is_active=False)
    admin = await committed_users(Role.ADMIN, username=f"{prefix}-admin")
    as_viewer = await bearer(bench_client, viewer.username)
    as_admin = await bearer(bench_client, admin.username)

    queries = [
        f"?filters=username:like:{prefix}%25&sort=username:desc&per_page=3",
        f"?filters=username:like:{prefix}%25&sort=username:desc&per_page=3&page=2",
        f"?filters=username:like:{prefix}%25&sort=id&page=9",  # past the last page: no items
        f"?filters=username:eq:{prefix}-c",
        f"?filters=username:ilike:{prefix.upper()}%25&sort=created_at:asc",
    ]
    for query in queries:
        for headers in (as_viewer, as_admin):
            status, body = await both(bench_client, query, headers)
            assert status == 200
            assert prefix.encode() in body or b'"items":[]' in body
    # The deactivated account is listed for administrators only, on both.
    _, for_viewer = await both(bench_client, f"?filters=username:like:{prefix}%25", as_viewer)
    _, for_admin = await both(bench_client, f"?filters=username:like:{prefix}%25", as_admin)
    assert f"{prefix}-f".encode() in for_admin
    assert f"{prefix}-f".encode() not in for_viewer


async def test_twin_reads_and_writes_the_kits_principal_snapshot(
    bench_client: httpx.AsyncClient, committed_users: CreateUser, redis: Redis, prefix: str
) -> None:
    """The twin's principal check reads the kit's Redis keys and, on a miss, caches the account
    exactly as the kit does: the two share the cache as they would share the work."""
    user = await committed_users(username=f"{prefix}-cached")
    headers = await bearer(bench_client, user.username)
    key = PRINCIPAL_KEY.format(user.id)

    await redis.delete(key)
    assert (await bench_client.get(f"{TWIN}/{user.id}", headers=headers)).status_code == 200
    written_by_twin = await redis.get(key)
    await redis.delete(key)
    assert (await bench_client.get(f"{KIT}/{user.id}", headers=headers)).status_code == 200
    written_by_kit = await redis.get(key)
    assert written_by_twin is not None
    assert written_by_twin == written_by_kit
