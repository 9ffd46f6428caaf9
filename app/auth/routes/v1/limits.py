"""Rate limits of the credential endpoints: per client address and per account."""

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from fastapi import Depends
from starlette.requests import HTTPConnection, Request

from app.auth.config import AuthConfig
from app.auth.deps import account_id_by_login
from app.auth.exceptions import InvalidToken
from app.auth.services.security import access_tokens_for
from app.core.deps import resources_of
from app.core.limiter import SettingsRateLimiter, by_ip
from app.core.limiter.identity import Identity, Network

_ACCOUNT_FIELDS = ("username", "email", "login")
# Second-step attempts per account are counted over this window (AUTH_SECOND_FACTOR_ATTEMPTS_PER_ACCOUNT).
SECOND_FACTOR_WINDOW = 300


async def _body(connection: HTTPConnection) -> dict[str, Any]:
    """The request body (form or JSON) as a dict; empty if there is none or it is malformed
    (the route's own validation answers that)."""
    if not isinstance(connection, Request):
        return {}
    try:
        if connection.headers.get("content-type", "").startswith("application/json"):
            body = json.loads(await connection.body() or b"{}")
        else:
            body = dict(await connection.form())
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


async def _named_account(connection: HTTPConnection) -> str | None:
    """The account named in the request body (form or JSON), if any."""
    body = await _body(connection)
    account = next((body[f] for f in _ACCOUNT_FIELDS if isinstance(body.get(f), str)), None)
    if account is None:
        return None
    return account.strip().lower() or None


def _hashed(account: str) -> str:
    return "account:" + hashlib.sha256(account.encode()).hexdigest()[:32]


async def by_account(connection: HTTPConnection, trusted_proxies: Sequence[Network]) -> str:
    """The account named in the request body, hashed; the address if none."""
    account = await _named_account(connection)
    return _hashed(account) if account else await by_ip(connection, trusted_proxies)


async def by_login_account(connection: HTTPConnection, trusted_proxies: Sequence[Network]) -> str:
    """As by_account, but an existing account counts once whichever of its names (username or
    email) the login uses: both resolve to its id. Unknown names count by name."""
    account = await _named_account(connection)
    if not account:
        return await by_ip(connection, trusted_proxies)
    user_id = await account_id_by_login(connection, account)
    return f"account:user:{user_id}" if user_id is not None else _hashed(account)


async def by_second_factor_account(connection: HTTPConnection, trusted_proxies: Sequence[Network]) -> str:
    """The account whose second-step token the body carries (every token of one account counts
    together, so fetching new tokens buys no extra guesses); the address if the token is not
    valid, which the route refuses anyway."""
    token = (await _body(connection)).get("second_factor_token")
    if isinstance(token, str):
        config = resources_of(connection).settings(AuthConfig)
        try:
            claims = access_tokens_for(config).decode_second_factor(token)
        except InvalidToken:
            pass
        else:
            return f"account:user:{claims.user_id}"
    return await by_ip(connection, trusted_proxies)


def second_factor_limits() -> list[Any]:
    """Per address as the other credential endpoints, and per account over SECOND_FACTOR_WINDOW
    seconds: a 6-digit code must not be guessable by trying. Fail closed, like them."""
    return [
        Depends(
            SettingsRateLimiter(
                lambda settings: settings.get(AuthConfig).RATE_LIMIT_PER_IP,
                60,
                name="auth.second_factor.ip",
                fail_closed=True,
            )
        ),
        Depends(
            SettingsRateLimiter(
                lambda settings: settings.get(AuthConfig).SECOND_FACTOR_ATTEMPTS_PER_ACCOUNT,
                SECOND_FACTOR_WINDOW,
                key=by_second_factor_account,
                name="auth.second_factor.account",
                fail_closed=True,
            )
        ),
    ]


def credential_limits(name: str, account: Identity = by_account) -> list[Any]:
    """Both limits for one endpoint; refused with 503 while Redis is down (fail closed)."""
    return [
        Depends(
            SettingsRateLimiter(
                lambda settings: settings.get(AuthConfig).RATE_LIMIT_PER_IP,
                60,
                name=f"auth.{name}.ip",
                fail_closed=True,
            )
        ),
        Depends(
            SettingsRateLimiter(
                lambda settings: settings.get(AuthConfig).RATE_LIMIT_PER_ACCOUNT,
                60,
                key=account,
                name=f"auth.{name}.account",
                fail_closed=True,
            )
        ),
    ]
