"""Access tokens (JWT) and opaque tokens (refresh, reset, verification).

Access tokens are short-lived JWTs with the algorithm pinned, a `typ` claim, audience, issuer,
expiry, the user id (`sub`, a string), the session id (`sid`) and the user's token version
(`ver`): changing a password, role or status bumps the version and retires every earlier token.
They also say when and how the session last authenticated with credentials (`auth_time`, `amr`,
RFC 9470): sensitive actions need a recent `auth_time`.

A sign-in that needs a second factor gets a second-step token instead: a JWT of another `typ`,
with no session, that only the second step accepts (the access-token decoder refuses it twice
over: its `typ`, and the session id it lacks).
Opaque tokens are random strings stored only as SHA-256 hashes; a slow password hash would add
nothing for 256 random bits.
"""

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.core.imports import import_without

# PyJWT imports cryptography's asymmetric algorithms (RSA, EC, EdDSA, X.509) on import when
# cryptography is installed: ~8 MB and ~30 ms per process. Tokens here are signed with a shared
# secret (HMAC, see AuthConfig.JWT_ALGORITHM), so jwt is loaded without them; cryptography itself
# stays importable (two-factor secrets use it, app.auth.services.secret_box).
import_without("jwt", hidden=["cryptography.hazmat"])

import jwt  # noqa: E402 - after import_without, which loads it

from app.auth.config import AuthConfig  # noqa: E402
from app.auth.exceptions import InvalidToken  # noqa: E402
from app.core.clock import utcnow  # noqa: E402

ACCESS_TOKEN_TYPE = "access"  # noqa: S105 - the `typ` claim, not a secret
SECOND_FACTOR_TOKEN_TYPE = "second_factor"  # noqa: S105 - the `typ` claim, not a secret
_REQUIRED_CLAIMS = ["exp", "iat", "sub", "aud", "iss", "typ", "sid", "ver"]
_SECOND_FACTOR_CLAIMS = ["exp", "iat", "sub", "aud", "iss", "typ", "ver", "jti"]


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: int
    session_id: int
    token_version: int
    expires_at: datetime
    # None for a token without `auth_time`: never counts as a recent authentication.
    auth_time: datetime | None = None
    amr: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SecondFactorClaims:
    user_id: int
    token_version: int
    # Spent when the sign-in completes: the token opens one session.
    token_id: str


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccessTokens:
    def __init__(self, config: AuthConfig) -> None:
        self._config = config

    def _encode(self, claims: dict[str, Any], ttl: int) -> str:
        now = utcnow()
        claims |= {
            "aud": self._config.JWT_AUDIENCE,
            "iss": self._config.JWT_ISSUER,
            "iat": now,
            "exp": now + timedelta(seconds=ttl),
        }
        return jwt.encode(claims, self._config.jwt_secret, algorithm=self._config.JWT_ALGORITHM)

    def _decode(self, token: str, token_type: str, required: list[str]) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._config.jwt_secret,
                algorithms=[self._config.JWT_ALGORITHM],
                audience=self._config.JWT_AUDIENCE,
                issuer=self._config.JWT_ISSUER,
                options={"require": required},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken() from error
        if claims.get("typ") != token_type:
            raise InvalidToken()
        return claims

    def issue(
        self, user_id: int, session_id: int, token_version: int, *, auth_time: datetime, amr: Sequence[str]
    ) -> tuple[str, int]:
        """(token, lifetime in seconds)."""
        ttl = self._config.ACCESS_TOKEN_TTL
        claims: dict[str, Any] = {
            "sub": str(user_id),
            "sid": session_id,
            "ver": token_version,
            "typ": ACCESS_TOKEN_TYPE,
            "auth_time": int(auth_time.timestamp()),
            "amr": list(amr),
        }
        return self._encode(claims, ttl), ttl

    def decode(self, token: str) -> AccessClaims:
        claims = self._decode(token, ACCESS_TOKEN_TYPE, _REQUIRED_CLAIMS)
        try:
            auth_time = claims.get("auth_time")
            amr = claims.get("amr", [])
            if not isinstance(amr, list) or not all(isinstance(method, str) for method in amr):
                raise TypeError("amr")
            return AccessClaims(
                user_id=int(claims["sub"]),
                session_id=int(claims["sid"]),
                token_version=int(claims["ver"]),
                expires_at=datetime.fromtimestamp(claims["exp"], tz=UTC),
                auth_time=datetime.fromtimestamp(int(auth_time), tz=UTC) if auth_time is not None else None,
                amr=tuple(amr),
            )
        except (TypeError, ValueError, OverflowError, OSError) as error:
            raise InvalidToken() from error

    def issue_second_factor(self, user_id: int, token_version: int) -> tuple[str, int]:
        """The token of a sign-in's second step: (token, lifetime in seconds). It names the
        account and its token version, so a password change in between retires it."""
        ttl = self._config.SECOND_FACTOR_TTL
        claims: dict[str, Any] = {
            "sub": str(user_id),
            "ver": token_version,
            "typ": SECOND_FACTOR_TOKEN_TYPE,
            "jti": secrets.token_urlsafe(16),
        }
        return self._encode(claims, ttl), ttl

    def decode_second_factor(self, token: str) -> SecondFactorClaims:
        claims = self._decode(token, SECOND_FACTOR_TOKEN_TYPE, _SECOND_FACTOR_CLAIMS)
        try:
            return SecondFactorClaims(
                user_id=int(claims["sub"]), token_version=int(claims["ver"]), token_id=str(claims["jti"])
            )
        except (TypeError, ValueError) as error:
            raise InvalidToken() from error
