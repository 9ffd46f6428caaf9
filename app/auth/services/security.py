"""The process-wide password hasher and access-token codec, built from AuthConfig once."""

from functools import lru_cache

from app.auth.config import get_auth_config
from app.auth.services.passwords import PasswordHasher
from app.auth.services.tokens import AccessTokens


@lru_cache
def get_hasher() -> PasswordHasher:
    return PasswordHasher(get_auth_config())


@lru_cache
def get_access_tokens() -> AccessTokens:
    return AccessTokens(get_auth_config())
