"""The hashing bound of the login benchmark: a route that does only a login's password check.

It reads the same form and verifies the password against the account's stored hash (read from
the database once, then kept: the bound is the hashing, not the lookup) with the app's own
hasher, `hasher_for` the app's AuthConfig as the login's service gets it: the same argon2id
parameters, the same turns, thread pool and thread priority. No account lookup per request, no
session, tokens or audit entry: what a login costs beyond this route is the kit's own work.

It is served by the login's process and loaded by the same wrk command, in rounds alternating
with the login (bench/auth_load.py). A bound measured apart from the server, as verifications
per second of a thread per core in the bench's own process a few seconds before the login load,
compared unlike things: threads at normal priority in a process doing nothing else, and a
different minute of a shared machine, where either rate moved by half from one minute to the
next.
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from psycopg_pool import AsyncConnectionPool

from app.auth.config import AuthConfig
from app.auth.services.security import hasher_for
from app.core.resources import Resources
from bench.twins import JSON, PROBLEM

router = APIRouter(prefix="/bench/twin", include_in_schema=False)

# Stored hashes by username, read once: the login reads it every time, the bound does not.
_stored: dict[str, str] = {}
REFUSED = b'{"code":"invalid_credentials"}'


async def stored_hash(pool: AsyncConnectionPool, username: str) -> str | None:
    if username not in _stored:
        async with pool.connection() as connection:
            cursor = await connection.execute(
                "SELECT password_hash FROM auth_user WHERE username = %s AND deleted_at IS NULL", (username,)
            )
            row = await cursor.fetchone()
        if row is None:
            return None
        _stored[username] = row[0]
    return _stored[username]


@router.post("/login")
async def hashing_only(request: Request) -> Response:
    """Twin of POST /api/v1/auth/login reduced to its password verification (an unknown
    account is refused without one: the bench signs in a known account)."""
    resources: Resources = request.state.resources
    form = await request.form()
    username, password = form.get("username"), form.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return Response(REFUSED, status_code=422, media_type=PROBLEM)
    stored = await stored_hash(request.state.twin_pool, username)
    if stored is None:
        return Response(REFUSED, status_code=401, media_type=PROBLEM)
    valid, _ = await hasher_for(resources.settings(AuthConfig)).verify(password, stored)
    if not valid:
        return Response(REFUSED, status_code=401, media_type=PROBLEM)
    return Response(b'{"verified":true}', media_type=JSON)
