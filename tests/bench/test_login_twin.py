"""The login benchmark's hashing bound (bench/login_twin.py) is the login's own password check:
it verifies against the account's stored hash, and it waits for a turn of the hasher the app's
login uses, so it can hash no faster than a login can."""

import asyncio

import httpx

from app.auth.config import AuthConfig
from app.auth.services.security import hasher_for
from app.core.resources import current_resources
from tests.factories import PASSWORD
from tests.users import CreateUser, login

BOUND = "/bench/twin/login"


async def test_bound_verifies_the_accounts_stored_password(
    bench_client: httpx.AsyncClient, committed_users: CreateUser, prefix: str
) -> None:
    user = await committed_users(username=f"{prefix}-bound")
    assert (await login(bench_client, user.username)).status_code == 200

    right = await bench_client.post(BOUND, data={"username": user.username, "password": PASSWORD})
    wrong = await bench_client.post(BOUND, data={"username": user.username, "password": "Not-the-password-1"})
    unknown = await bench_client.post(BOUND, data={"username": f"{prefix}-nobody", "password": PASSWORD})
    assert (right.status_code, wrong.status_code, unknown.status_code) == (200, 401, 401)


async def test_bound_waits_for_a_turn_of_the_logins_hasher(
    bench_client: httpx.AsyncClient, committed_users: CreateUser, prefix: str
) -> None:
    user = await committed_users(username=f"{prefix}-turn")
    form = {"username": user.username, "password": PASSWORD}
    assert (await bench_client.post(BOUND, data=form)).status_code == 200  # its stored hash is read
    hasher = hasher_for(current_resources().settings(AuthConfig))  # the bench app's, as its login's
    holding, release = asyncio.Event(), asyncio.Event()
    held = 0

    async def hold_a_turn() -> None:
        nonlocal held
        async with hasher.turn():
            held += 1
            if held == hasher.turns:
                holding.set()
            await release.wait()

    holders = [asyncio.create_task(hold_a_turn()) for _ in range(hasher.turns)]
    await holding.wait()
    request = asyncio.create_task(bench_client.post(BOUND, data=form))
    # Not a time the test asserts: with every turn held the request cannot finish, however long
    # it is given; a bound that hashed outside the login's turns would answer in milliseconds.
    done, _ = await asyncio.wait({request}, timeout=0.5)
    assert not done
    release.set()
    await asyncio.gather(*holders)
    assert (await request).status_code == 200
