"""The password hasher's turns: how many logins get past the queue at once."""

import asyncio

from app.auth.config import AuthConfig
from app.auth.services.passwords import PasswordHasher


async def test_one_login_more_than_hashing_threads_gets_a_turn() -> None:
    """A login holds its turn while it looks its account up; the extra turn lets one do that
    while every hashing thread is busy, so no thread waits for a database round trip."""
    hasher = PasswordHasher(AuthConfig(HASHING_CONCURRENCY=2))
    release = asyncio.Event()
    inside = 0

    async def login() -> None:
        nonlocal inside
        async with hasher.turn():
            inside += 1
            await release.wait()

    logins = [asyncio.create_task(login()) for _ in range(5)]
    await asyncio.sleep(0)  # each task's first step: a free turn is taken without waiting
    assert (hasher.turns, inside) == (3, 3)
    release.set()
    await asyncio.gather(*logins)
    assert inside == 5
