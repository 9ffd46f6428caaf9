"""What an API key looks like: `kit_pat_<public id>_<secret>`.

- The prefix tells a key from an access token at a glance (and lets secret scanners find leaked
  ones); the public id (16 hex digits) finds the row, and is what lists show; the secret is 32
  random bytes (43 URL-safe characters).
- Only the SHA-256 of the whole token is stored, compared in constant time.
- Anything that is not exactly this shape is refused before the database is asked.
"""

import hmac
import re
import secrets
from dataclasses import dataclass

from app.auth.models import API_KEY_PREFIX
from app.auth.services.tokens import token_digest

_SHAPE = re.compile(rf"{API_KEY_PREFIX}(?P<public_id>[0-9a-f]{{16}})_[A-Za-z0-9_-]{{43}}")


@dataclass(frozen=True, slots=True)
class NewApiKeyToken:
    token: str
    public_id: str

    @property
    def digest(self) -> str:
        return token_digest(self.token)


def looks_like_api_key(bearer: str) -> bool:
    """Whether a bearer credential is meant as an API key (well-formed or not)."""
    return bearer.startswith(API_KEY_PREFIX)


def new_api_key_token() -> NewApiKeyToken:
    public_id = secrets.token_hex(8)
    return NewApiKeyToken(f"{API_KEY_PREFIX}{public_id}_{secrets.token_urlsafe(32)}", public_id)


def public_id_of(token: str) -> str | None:
    """The public id of a well-formed key, else None."""
    match = _SHAPE.fullmatch(token)
    return match["public_id"] if match else None


def matches(token: str, stored_digest: str) -> bool:
    return hmac.compare_digest(token_digest(token), stored_digest)
