"""Raw twins of the kit's database routes: the same I/O written by hand, served by the bench app
behind the same middleware, so the gap between a route and its twin is what the kit's layers cost.

Each twin does what its route does on the steady path, and nothing the kit does for it:
- the principal check of `app.auth.services.current_user.resolve`: PyJWT decode with the same
  checks, then the same three Redis reads in one pipeline (revoked-session marker, lowest token
  version, cached account snapshot), the account read from the database (and cached, in the
  kit's format) only when the snapshot is missing;
- the same SELECTs (same columns, conditions, order and limits as the ORM emits) through a
  psycopg pool of autocommit connections sized like the kit's read-only pool;
- the same JSON bytes, built with orjson.

What the twins leave out is what a hand-written route may leave out: the database fallback when
Redis does not answer, problem+json error bodies (errors answer with the kit's status codes and a
short body), and the general list grammar (the list twin parses the one filter shape the
scenario sends).
"""

import math
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from psycopg_pool import AsyncConnectionPool
from redis.asyncio import Redis
from sqlalchemy.engine import make_url

from app.auth.config import AuthConfig
from app.auth.services.access import LOWEST_VERSION_KEY, PRINCIPAL_KEY, REVOKED_SESSION_KEY
from app.core.config import AppConfig
from app.core.imports import import_without
from app.core.resources import Resources

# PyJWT as the kit's process loads it (app.auth.services.tokens, HMAC only): this module may be
# imported before the app's modules, and a plain `import jwt` would load cryptography's asymmetric
# algorithms into the process under test.
jwt = import_without("jwt", hidden=["cryptography.hazmat"])

router = APIRouter(prefix="/bench/twin", include_in_schema=False)

REQUIRED_CLAIMS = ["exp", "iat", "sub", "aud", "iss", "typ", "sid", "ver"]
ADMIN_ROLES = frozenset({"admin", "super_admin"})
# Every column of auth_user, as the ORM's `session.get(User, id)` and `select(User)` read them.
USER_COLUMNS = (
    "id, email, username, password_hash, role, is_active, email_verified_at, token_version, "
    "deleted_at, created_at, updated_at"
)
# The account snapshot the kit caches in Redis (app.auth.services.current_user), in its key order.
SNAPSHOT_FIELDS = ("id", "username", "email", "role", "is_active", "token_version")
SORTABLE = frozenset({"id", "username", "created_at"})
LIKE_OPERATORS = {"eq": "=", "like": "LIKE", "ilike": "ILIKE"}
DEFAULT_PER_PAGE, MAX_PER_PAGE, MAX_PAGE = 20, 100, 100_000
JSON = "application/json"
PROBLEM = "application/problem+json"
DUMP_OPTIONS = orjson.OPT_UTC_Z


@asynccontextmanager
async def twin_pool(config: AppConfig) -> AsyncIterator[AsyncConnectionPool]:
    """Autocommit connections (one round trip per SELECT, as the kit's read-only pool), as many
    as the kit's read-only pool may hold."""
    url = make_url(config.DATABASE_URL).set(drivername="postgresql")
    pool = AsyncConnectionPool(
        url.render_as_string(hide_password=False),
        min_size=config.DATABASE_READ_POOL_SIZE,
        max_size=config.DATABASE_READ_POOL_SIZE + config.DATABASE_READ_MAX_OVERFLOW,
        kwargs={"autocommit": True, "application_name": config.DATABASE_APPLICATION_NAME},
        open=False,
    )
    await pool.open(wait=False)
    try:
        yield pool
    finally:
        await pool.close()


class Refused(Exception):
    def __init__(self, status_code: int, code: str) -> None:
        super().__init__(code)
        self.status_code = status_code
        self.code = code


def refusal(error: Refused) -> Response:
    return Response(orjson.dumps({"code": error.code}), status_code=error.status_code, media_type=PROBLEM)


@dataclass(frozen=True, slots=True)
class Caller:
    id: int
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES


def _token(request: Request) -> str:
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Refused(401, "not_authenticated")
    return token


def _claims(token: str, config: AuthConfig) -> tuple[int, int, int]:
    """(user id, session id, token version) of a valid access token."""
    try:
        claims = jwt.decode(
            token,
            config.jwt_secret,
            algorithms=[config.JWT_ALGORITHM],
            audience=config.JWT_AUDIENCE,
            issuer=config.JWT_ISSUER,
            options={"require": REQUIRED_CLAIMS},
        )
        if claims.get("typ") != "access":
            raise Refused(401, "invalid_token")
        return int(claims["sub"]), int(claims["sid"]), int(claims["ver"])
    except (jwt.PyJWTError, TypeError, ValueError):
        raise Refused(401, "invalid_token") from None


async def authenticate(request: Request, resources: Resources, pool: AsyncConnectionPool) -> Caller:
    config = resources.settings(AuthConfig)
    user_id, session_id, version = _claims(_token(request), config)
    cache_ttl = config.CURRENT_USER_CACHE_TTL
    redis: Redis = resources.redis
    async with redis.pipeline(transaction=False) as pipe:
        pipe.exists(REVOKED_SESSION_KEY.format(session_id))
        pipe.get(LOWEST_VERSION_KEY.format(user_id))
        if cache_ttl:
            pipe.get(PRINCIPAL_KEY.format(user_id))
        results = await pipe.execute()
    lowest = int(results[1] or 0)
    if results[0] or version < lowest:
        raise Refused(401, "invalid_token")
    snapshot = orjson.loads(results[2]) if cache_ttl and results[2] is not None else None
    if snapshot is None or snapshot["token_version"] < lowest:
        async with pool.connection() as connection:
            cursor = await connection.execute(
                f"SELECT {', '.join(SNAPSHOT_FIELDS)} FROM auth_user WHERE id = %s AND deleted_at IS NULL",  # noqa: S608 - constant columns
                (user_id,),
            )
            row = await cursor.fetchone()
        if row is None:
            raise Refused(401, "invalid_token")
        snapshot = dict(zip(SNAPSHOT_FIELDS, row, strict=True))
        if cache_ttl:
            await redis.set(PRINCIPAL_KEY.format(user_id), orjson.dumps(snapshot), ex=cache_ttl)
    if snapshot["token_version"] != version:
        raise Refused(401, "invalid_token")
    if not snapshot["is_active"]:
        raise Refused(403, "inactive_user")
    request.state.user_id = snapshot["id"]  # as the kit sets it, for rate limits keyed by user
    return Caller(snapshot["id"], snapshot["role"])


def public_view(row: Sequence[Any]) -> dict[str, Any]:
    return {"id": row[0], "username": row[2], "created_at": row[9]}


def detail_view(row: Sequence[Any]) -> dict[str, Any]:
    return {
        **public_view(row),
        "email": row[1],
        "role": row[4],
        "is_active": row[5],
        "email_verified": row[6] is not None,
        "updated_at": row[10],
    }


@router.get("/users/{user_id}")
async def twin_user(request: Request, user_id: int) -> Response:
    """Twin of GET /api/v1/users/{id}."""
    resources: Resources = request.state.resources
    pool: AsyncConnectionPool = request.state.twin_pool
    try:
        caller = await authenticate(request, resources, pool)
    except Refused as error:
        return refusal(error)
    async with pool.connection() as connection:
        cursor = await connection.execute(
            f"SELECT {USER_COLUMNS} FROM auth_user WHERE id = %s AND deleted_at IS NULL",  # noqa: S608 - constant columns
            (user_id,),
        )
        row = await cursor.fetchone()
    if row is None or (not caller.is_admin and not row[5] and row[0] != caller.id):
        return refusal(Refused(404, "not_found"))
    body = detail_view(row) if caller.is_admin or caller.id == row[0] else public_view(row)
    return Response(orjson.dumps(body, option=DUMP_OPTIONS), media_type=JSON)


def _list_query(request: Request, caller: Caller) -> tuple[str, list[Any], str, int, int]:
    """(WHERE clause, its values, ORDER BY, page, per page) of the query string, for the one
    filter shape `filters=<field>:<eq|like|ilike>:<value>` on username."""
    query = request.query_params
    try:
        page, per_page = int(query.get("page", 1)), int(query.get("per_page", DEFAULT_PER_PAGE))
    except ValueError:
        raise Refused(422, "invalid_page") from None
    if not (1 <= page <= MAX_PAGE and 1 <= per_page <= MAX_PER_PAGE):
        raise Refused(422, "invalid_page")
    conditions, values = [], []
    if filters := query.get("filters"):
        field, _, rest = filters.partition(":")
        operator, _, value = rest.partition(":")
        if field != "username" or operator not in LIKE_OPERATORS or not value or "\\" in value:
            raise Refused(422, "invalid_filters")
        conditions.append(f"username {LIKE_OPERATORS[operator]} %s")
        values.append(value)
    if not caller.is_admin:
        conditions.append("is_active = true")
    conditions.append("deleted_at IS NULL")
    order = []
    sort_field, _, direction = query.get("sort", "").partition(":")
    if sort_field:
        if sort_field not in SORTABLE or direction not in ("", "asc", "desc"):
            raise Refused(422, "invalid_sort")
        order.append(f"{sort_field} {(direction or 'asc').upper()}")
    if sort_field != "id":
        order.append("id ASC")  # the primary key last, as the kit orders every page
    return " AND ".join(conditions), values, ", ".join(order), page, per_page


@router.get("/users")
async def twin_users(request: Request) -> Response:
    """Twin of GET /api/v1/users: the count, then the page when it is not empty."""
    resources: Resources = request.state.resources
    pool: AsyncConnectionPool = request.state.twin_pool
    try:
        caller = await authenticate(request, resources, pool)
        where, values, order, page, per_page = _list_query(request, caller)
    except Refused as error:
        return refusal(error)
    offset = (page - 1) * per_page
    rows: list[Any] = []
    async with pool.connection() as connection:
        cursor = await connection.execute(f"SELECT count(*) FROM auth_user WHERE {where}", values)  # noqa: S608 - built from constants
        counted = await cursor.fetchone()
        total = int(counted[0]) if counted else 0
        if total > offset:
            cursor = await connection.execute(
                f"SELECT {USER_COLUMNS} FROM auth_user WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s",  # noqa: S608
                [*values, per_page, offset],
            )
            rows = await cursor.fetchall()
    view = detail_view if caller.is_admin else public_view
    body = {
        "items": [view(row) for row in rows],
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": math.ceil(total / per_page),
    }
    return Response(orjson.dumps(body, option=DUMP_OPTIONS), media_type=JSON)
