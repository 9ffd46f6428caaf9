"""The password hasher, access-token codec and secret box of an AuthConfig, built once per
settings instance (the hasher bounds how many hashes run at once across the app that uses it;
the box derives its keys once)."""

from app.auth.config import AuthConfig
from app.auth.services.passwords import PasswordHasher
from app.auth.services.secret_box import SecretBox
from app.auth.services.tokens import AccessTokens

# Keyed by identity (settings are not hashable); each entry holds the settings, so the id cannot
# be reused by another object while it is cached.
_built: dict[int, tuple[AuthConfig, PasswordHasher, AccessTokens]] = {}
_boxes: dict[int, tuple[AuthConfig, SecretBox]] = {}


def _built_for(config: AuthConfig) -> tuple[AuthConfig, PasswordHasher, AccessTokens]:
    built = _built.get(id(config))
    if built is None:
        built = _built[id(config)] = (config, PasswordHasher(config), AccessTokens(config))
    return built


def hasher_for(config: AuthConfig) -> PasswordHasher:
    return _built_for(config)[1]


def access_tokens_for(config: AuthConfig) -> AccessTokens:
    return _built_for(config)[2]


def secret_box_for(config: AuthConfig) -> SecretBox:
    built = _boxes.get(id(config))
    if built is None:
        built = _boxes[id(config)] = (config, SecretBox(config.totp_encryption_keys))
    return built[1]
