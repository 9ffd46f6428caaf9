"""Access tokens (JWT) and opaque tokens (refresh, reset, verification).

Access tokens are short-lived JWTs with the algorithm pinned, a `typ` claim, audience, issuer,
expiry, the user id (`sub`, a string), the session id (`sid`) and the user's token version
(`ver`): changing a password, role or status bumps the version and retires every earlier token.
Opaque tokens are random strings stored only as SHA-256 hashes; a slow password hash would add
nothing for 256 random bits.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from app.auth.config import AuthConfig
from app.auth.exceptions import InvalidToken
from app.core.clock import utcnow

ACCESS_TOKEN_TYPE = "access"  # noqa: S105 - the `typ` claim, not a secret
_REQUIRED_CLAIMS = ["exp", "iat", "sub", "aud", "iss", "typ", "sid", "ver"]


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: int
    session_id: int
    token_version: int
    expires_at: datetime


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccessTokens:
    def __init__(self, config: AuthConfig) -> None:
        self._config = config

    def issue(self, user_id: int, session_id: int, token_version: int) -> tuple[str, int]:
        """(token, lifetime in seconds)."""
        now = utcnow()
        ttl = self._config.ACCESS_TOKEN_TTL
        claims: dict[str, Any] = {
            "sub": str(user_id),
            "sid": session_id,
            "ver": token_version,
            "typ": ACCESS_TOKEN_TYPE,
            "aud": self._config.JWT_AUDIENCE,
            "iss": self._config.JWT_ISSUER,
            "iat": now,
            "exp": now + timedelta(seconds=ttl),
        }
        return jwt.encode(claims, self._config.jwt_secret, algorithm=self._config.JWT_ALGORITHM), ttl

    def decode(self, token: str) -> AccessClaims:
        try:
            claims = jwt.decode(
                token,
                self._config.jwt_secret,
                algorithms=[self._config.JWT_ALGORITHM],
                audience=self._config.JWT_AUDIENCE,
                issuer=self._config.JWT_ISSUER,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken() from error
        if claims.get("typ") != ACCESS_TOKEN_TYPE:
            raise InvalidToken()
        try:
            return AccessClaims(
                user_id=int(claims["sub"]),
                session_id=int(claims["sid"]),
                token_version=int(claims["ver"]),
                expires_at=datetime.fromtimestamp(claims["exp"], tz=utcnow().tzinfo),
            )
        except (TypeError, ValueError) as error:
            raise InvalidToken() from error
