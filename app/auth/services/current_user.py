"""Who is calling: the access token checked against a cached snapshot of the account and the
revoked sessions (app.auth.services.access).

Resolving the current user is on every authenticated request, so the account is cached in
Redis for CURRENT_USER_CACHE_TTL seconds and dropped on every change to it. When Redis does not
answer, the database decides (the account and the session row): slower, but the API keeps
serving signed-in users, and a revoked session or token stays refused.
"""

from dataclasses import asdict, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.exceptions import InvalidToken
from app.auth.models import Role
from app.auth.repositories.sign_in_session import SignInSessionRepository
from app.auth.repositories.user import UserRepository
from app.auth.schemas.principal import Principal
from app.auth.services.access import AccessStore, AccessStoreUnavailable
from app.auth.services.tokens import AccessClaims, AccessTokens


def _snapshot(principal: Principal) -> dict[str, Any]:
    data = asdict(principal)
    data["role"] = principal.role.value
    # The account only: what the token (or key) adds is not shared between requests.
    for credential_field in ("session_id", "expires_at", "api_key_id", "key_scopes", "auth_time", "amr"):
        del data[credential_field]
    return data


async def resolve(token: str, tokens: AccessTokens, session: AsyncSession, store: AccessStore) -> Principal:
    claims = tokens.decode(token)
    try:
        state = await store.read(claims.user_id, claims.session_id)
    except AccessStoreUnavailable:
        principal = await _from_database(claims, session)
    else:
        if state.session_revoked or claims.token_version < state.lowest_version:
            raise InvalidToken()
        cached = state.snapshot
        if cached is not None and cached["token_version"] < state.lowest_version:
            cached = None  # cached from a row read before the revocation committed
        if cached is not None:
            principal = Principal(**{**cached, "role": Role(cached["role"])}, session_id=claims.session_id)
        else:
            user = await UserRepository(session).get(claims.user_id)
            if user is None:
                raise InvalidToken()
            principal = Principal.of(user, claims.session_id)
            await store.remember(user.id, _snapshot(principal))
    if principal.token_version != claims.token_version:
        raise InvalidToken()
    return replace(principal, expires_at=claims.expires_at, auth_time=claims.auth_time, amr=claims.amr)


async def _from_database(claims: AccessClaims, session: AsyncSession) -> Principal:
    user = await UserRepository(session).get(claims.user_id)
    signed_in = await SignInSessionRepository(session).get(claims.session_id)
    if user is None or signed_in is None or signed_in.user_id != user.id or signed_in.revoked_at is not None:
        raise InvalidToken()
    return Principal.of(user, claims.session_id)
