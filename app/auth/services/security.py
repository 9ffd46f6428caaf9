"""The password hasher and access-token codec of an AuthConfig, built once per settings instance
(the hasher bounds how many hashes run at once across the app that uses it)."""

from app.auth.config import AuthConfig
from app.auth.services.passwords import PasswordHasher
from app.auth.services.tokens import AccessTokens

_built: dict[int, tuple[AuthConfig, PasswordHasher, AccessTokens]] = {}


def _built_for(config: AuthConfig) -> tuple[AuthConfig, PasswordHasher, AccessTokens]:
    # Keyed by identity (settings are not hashable); the entry holds the settings, so the id
    # cannot be reused by another object while it is cached.
    built = _built.get(id(config))
    if built is None:
        built = _built[id(config)] = (config, PasswordHasher(config), AccessTokens(config))
    return built


def hasher_for(config: AuthConfig) -> PasswordHasher:
    return _built_for(config)[1]


def access_tokens_for(config: AuthConfig) -> AccessTokens:
    return _built_for(config)[2]
