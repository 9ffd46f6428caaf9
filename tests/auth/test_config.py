"""AuthConfig defaults that depend on the environment."""

import pytest
from pydantic import SecretStr

from app.auth.config import AuthConfig
from app.core.config import AppConfig, Environment, ModuleSettings, get_app_config
from tests.settings import documented_settings

STRONG = "s" * 48
PRODUCTION = AppConfig(ENVIRONMENT=Environment.PRODUCTION, SECRET_KEY=SecretStr(STRONG))


def installed(app: AppConfig, settings: AuthConfig) -> AuthConfig:
    """`settings` as an app with the settings `app` installs them."""
    return ModuleSettings(app, [settings]).get(AuthConfig)


def test_registration_is_closed_by_default_in_production() -> None:
    assert installed(PRODUCTION, AuthConfig()).registration_allowed is False
    assert installed(PRODUCTION, AuthConfig(REGISTRATION_ALLOWED=True)).registration_allowed is True


def test_short_jwt_secret_is_refused_outside_development() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        installed(PRODUCTION, AuthConfig(JWT_SECRET=SecretStr("too-short")))
    assert installed(PRODUCTION, AuthConfig(JWT_SECRET=SecretStr("j" * 32))).jwt_secret == "j" * 32


def test_registration_is_open_by_default_in_development_and_tests() -> None:
    config = get_app_config()
    assert config.ENVIRONMENT is Environment.TESTING
    assert installed(config, AuthConfig()).registration_allowed is True


def test_settings_read_outside_an_app_say_how_to_reach_them() -> None:
    with pytest.raises(RuntimeError, match=r"platform.settings\(AuthConfig\)"):
        _ = AuthConfig().jwt_secret


def test_sample_env_documents_every_auth_setting() -> None:
    documented = documented_settings()
    assert {f"AUTH_{name}" for name in AuthConfig.model_fields} <= documented


def test_a_weak_totp_encryption_key_is_refused_outside_development() -> None:
    with pytest.raises(ValueError, match="AUTH_TOTP_ENCRYPTION_KEY is shorter than 32 bytes"):
        installed(PRODUCTION, AuthConfig(TOTP_ENCRYPTION_KEY=SecretStr("too-short")))
    # Unset, the key is SECRET_KEY (checked by the platform's settings).
    assert installed(PRODUCTION, AuthConfig()).totp_encryption_keys == [STRONG]


def test_old_totp_keys_read_comma_separated_after_the_current_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_TOTP_ENCRYPTION_KEY", "k" * 40)
    monkeypatch.setenv("AUTH_TOTP_ENCRYPTION_OLD_KEYS", f"{'a' * 40}, {'b' * 40}")
    assert installed(PRODUCTION, AuthConfig()).totp_encryption_keys == ["k" * 40, "a" * 40, "b" * 40]
