"""Settings: environment over .env, list parsing, and production refusing unsafe values."""

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict

from app.auth.config import AuthConfig
from app.core.config import DEVELOPMENT_SECRET_KEY, AppConfig, BaseConfig, Environment, ModuleSettings
from tests.settings import SAMPLE_ENV, documented_settings

STRONG_SECRET = "a" * 12 + "S3cure-and-random-enough-" + "z" * 10


DEPLOYED = [Environment.STAGING, Environment.PRODUCTION]
# Missing, published with the kit, a pasted placeholder, too short.
WEAK_KEYS = ["", DEVELOPMENT_SECRET_KEY, "changeme", "too-short-secret"]


@pytest.mark.parametrize("environment", DEPLOYED)
@pytest.mark.parametrize("secret", WEAK_KEYS)
def test_deployments_refuse_a_weak_secret_key(environment: Environment, secret: str) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY ") as refused:
        AppConfig(ENVIRONMENT=environment, SECRET_KEY=SecretStr(secret))
    assert f"ENVIRONMENT={environment.value}" in str(refused.value)


@pytest.mark.parametrize("environment", DEPLOYED)
def test_deployments_refuse_to_start_without_a_secret_key(
    environment: Environment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("ENVIRONMENT", environment.value)
    with pytest.raises(ValidationError, match="SECRET_KEY is not set") as refused:
        AppConfig(_env_file=None)
    # The refusal names the setting without echoing the environment it was read from.
    assert "input_value" not in str(refused.value)


@pytest.mark.parametrize("environment", DEPLOYED)
@pytest.mark.parametrize("secret", WEAK_KEYS)
def test_deployments_refuse_a_weak_jwt_secret(environment: Environment, secret: str) -> None:
    deployed = AppConfig(ENVIRONMENT=environment, SECRET_KEY=SecretStr(STRONG_SECRET))

    def installed(settings: AuthConfig) -> AuthConfig:
        return ModuleSettings(deployed, [settings]).get(AuthConfig)

    with pytest.raises(ValueError, match="AUTH_JWT_SECRET "):
        installed(AuthConfig(JWT_SECRET=SecretStr(secret)))
    assert installed(AuthConfig(JWT_SECRET=SecretStr("j" * 40))).jwt_secret == "j" * 40
    assert installed(AuthConfig()).jwt_secret == STRONG_SECRET


@pytest.mark.parametrize("token", ["changeme", "too-short-token"])
def test_deployments_refuse_a_guessable_metrics_token(token: str) -> None:
    with pytest.raises(ValidationError, match="METRICS_TOKEN "):
        AppConfig(
            ENVIRONMENT=Environment.PRODUCTION,
            SECRET_KEY=SecretStr(STRONG_SECRET),
            METRICS_TOKEN=SecretStr(token),
        )


def test_development_and_tests_start_with_the_published_key() -> None:
    for environment in (Environment.DEVELOPMENT, Environment.TESTING):
        config = AppConfig(ENVIRONMENT=environment, SECRET_KEY=SecretStr(DEVELOPMENT_SECRET_KEY))
        assert config.SECRET_KEY.get_secret_value() == DEVELOPMENT_SECRET_KEY


def test_production_refuses_debug() -> None:
    with pytest.raises(ValidationError, match="DEBUG must be false"):
        AppConfig(ENVIRONMENT=Environment.PRODUCTION, SECRET_KEY=SecretStr(STRONG_SECRET), DEBUG=True)


@pytest.mark.parametrize("environment", DEPLOYED)
def test_deployments_start_with_a_strong_secret(environment: Environment) -> None:
    config = AppConfig(ENVIRONMENT=environment, SECRET_KEY=SecretStr(STRONG_SECRET))
    assert config.ENVIRONMENT is environment
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
