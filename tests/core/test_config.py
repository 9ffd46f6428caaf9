"""Settings: environment over .env, list parsing, and production refusing unsafe values."""

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict

from app.core.config import AppConfig, BaseConfig, Environment
from tests.settings import SAMPLE_ENV, documented_settings

STRONG_SECRET = "a" * 12 + "S3cure-and-random-enough-" + "z" * 10


@pytest.mark.parametrize(
    "secret", ["", "changeme", "insecure-development-secret-key-never-in-production", "too-short-secret"]
)
def test_production_refuses_a_weak_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY must be set"):
        AppConfig(ENVIRONMENT=Environment.PRODUCTION, SECRET_KEY=SecretStr(secret))


def test_production_refuses_debug() -> None:
    with pytest.raises(ValidationError, match="DEBUG must be false"):
        AppConfig(ENVIRONMENT=Environment.PRODUCTION, SECRET_KEY=SecretStr(STRONG_SECRET), DEBUG=True)


def test_production_starts_with_a_strong_secret() -> None:
    config = AppConfig(ENVIRONMENT=Environment.PRODUCTION, SECRET_KEY=SecretStr(STRONG_SECRET))
    assert config.is_production
    assert config.log_format == "json"


def test_secret_is_never_shown() -> None:
    config = AppConfig(SECRET_KEY=SecretStr(STRONG_SECRET))
    assert STRONG_SECRET not in repr(config)
    assert STRONG_SECRET not in str(config.model_dump())


def test_environment_wins_over_dotenv_and_lists_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PROJECT_NAME=from-dotenv\nCORS_ORIGINS=http://a.test, http://b.test\nDEBUG=true\n")
    monkeypatch.delenv("CORS_ORIGINS", raising=False)
    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.setenv("PROJECT_NAME", "from-environment")
    monkeypatch.setenv("TRUSTED_HOSTS", '["api.test", "*.api.test"]')
    config = AppConfig(_env_file=env_file)
    assert config.PROJECT_NAME == "from-environment"
    assert config.CORS_ORIGINS == ["http://a.test", "http://b.test"]
    assert config.TRUSTED_HOSTS == ["api.test", "*.api.test"]
    assert config.DEBUG is True


def test_module_configs_use_their_own_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    class ShopConfig(BaseConfig):
        model_config = SettingsConfigDict(env_prefix="SHOP_")
        CURRENCY: str = "EUR"

    monkeypatch.setenv("SHOP_CURRENCY", "USD")
    monkeypatch.setenv("CURRENCY", "GBP")
    assert ShopConfig().CURRENCY == "USD"


def test_sample_env_documents_every_setting_and_loads() -> None:
    documented = documented_settings()
    assert set(AppConfig.model_fields) <= documented
    config = AppConfig(_env_file=SAMPLE_ENV)
    # Empty values (`QUEUE_REDIS_URL=`) mean "the default".
    assert config.QUEUE_REDIS_URL is None
    assert config.MAIL_SMTP_CA_FILE is None
