"""Rate limits of the credential endpoints: per client address and per account."""

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from fastapi import Depends
from starlette.requests import HTTPConnection, Request

from app.auth.config import get_auth_config
from app.core.limiter import ConfigurableRateLimiter, by_ip
from app.core.limiter.identity import Network

_ACCOUNT_FIELDS = ("username", "email", "login")


async def by_account(connection: HTTPConnection, trusted_proxies: Sequence[Network]) -> str:
    """The account named in the request body (form or JSON), hashed; the address if none."""
    account = None
    if isinstance(connection, Request):
        try:
            if connection.headers.get("content-type", "").startswith("application/json"):
                body = json.loads(await connection.body() or b"{}")
            else:
                body = dict(await connection.form())
        except (ValueError, UnicodeDecodeError):
            body = {}
        if isinstance(body, dict):
            account = next((body[f] for f in _ACCOUNT_FIELDS if isinstance(body.get(f), str)), None)
    if not account:
        return await by_ip(connection, trusted_proxies)
    return "account:" + hashlib.sha256(account.strip().lower().encode()).hexdigest()[:32]


def credential_limits(name: str) -> list[Any]:
    """Both limits for one endpoint; refused with 503 while Redis is down (fail closed)."""
    config = get_auth_config()
    return [
        Depends(
            ConfigurableRateLimiter(config.RATE_LIMIT_PER_IP, 60, name=f"auth.{name}.ip", fail_closed=True)
        ),
        Depends(
            ConfigurableRateLimiter(
                config.RATE_LIMIT_PER_ACCOUNT,
                60,
                key=by_account,
                name=f"auth.{name}.account",
                fail_closed=True,
            )
        ),
    ]
