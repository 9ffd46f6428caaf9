"""AuthConfig defaults that depend on the environment."""

import pytest
from pydantic import SecretStr, ValidationError

from app.auth.config import AuthConfig
from app.core.config import AppConfig, Environment, get_app_config
from tests.settings import documented_settings

STRONG = "s" * 48


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> None:
    config = AppConfig(ENVIRONMENT=Environment.PRODUCTION, SECRET_KEY=SecretStr(STRONG))
    monkeypatch.setattr("app.auth.config.get_app_config", lambda: config)


@pytest.mark.usefixtures("production")
def test_registration_is_closed_by_default_in_production() -> None:
    assert AuthConfig().registration_allowed is False
    assert AuthConfig(REGISTRATION_ALLOWED=True).registration_allowed is True


@pytest.mark.usefixtures("production")
def test_short_jwt_secret_is_refused_outside_development() -> None:
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        AuthConfig(JWT_SECRET=SecretStr("too-short"))
    assert AuthConfig(JWT_SECRET=SecretStr("j" * 32)).jwt_secret == "j" * 32


def test_registration_is_open_by_default_in_development_and_tests() -> None:
    assert get_app_config().ENVIRONMENT is Environment.TESTING
    assert AuthConfig().registration_allowed is True


def test_sample_env_documents_every_auth_setting() -> None:
    documented = documented_settings()
    assert {f"AUTH_{name}" for name in AuthConfig.model_fields} <= documented
