"""Settings: environment over .env, list parsing, and production refusing unsafe values."""

from pathlib import Path
from typing import Any

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


@pytest.mark.parametrize("environment", DEPLOYED)
@pytest.mark.parametrize(
    "backend", [{"MAIL_BACKEND": "auto", "MAIL_SMTP_HOST": None}, {"MAIL_BACKEND": "console"}]
)
def test_deployments_refuse_the_console_mail_backend(
    environment: Environment, backend: dict[str, Any]
) -> None:
    """It prints every email, reset and verification tokens included, into the logs."""
    with pytest.raises(ValidationError, match="MAIL_BACKEND is console"):
        AppConfig(ENVIRONMENT=environment, SECRET_KEY=SecretStr(STRONG_SECRET), **backend)
    smtp = AppConfig(
        ENVIRONMENT=environment,
        SECRET_KEY=SecretStr(STRONG_SECRET),
        MAIL_BACKEND="auto",
        MAIL_SMTP_HOST="smtp.test",
    )
    assert smtp.mail_backend == "smtp"


def test_development_prints_mail_without_an_smtp_server() -> None:
    config = AppConfig(ENVIRONMENT=Environment.DEVELOPMENT, MAIL_BACKEND="auto", MAIL_SMTP_HOST=None)
    assert config.mail_backend == "console"


@pytest.mark.parametrize("environment", DEPLOYED)
def test_deployments_name_where_email_links_lead(environment: Environment) -> None:
    """Links never fall back to a development address nobody reaches: a front end, or the API's
    own pages at the address the deployment names."""
    deployed: dict[str, Any] = {"ENVIRONMENT": environment, "SECRET_KEY": SecretStr(STRONG_SECRET)}
    with pytest.raises(ValidationError, match="FRONTEND_URL is not set"):
        AppConfig(**deployed, FRONTEND_URL=None, PUBLIC_API_URL=None)
    front = AppConfig(**deployed, FRONTEND_URL="https://app.example.com/", PUBLIC_API_URL=None)
    assert front.email_links.link(frontend="/verify-email?token=t", api="/x") == (
        "https://app.example.com/verify-email?token=t"
    )
    assert front.email_links.api_url is None
    own_pages = AppConfig(**deployed, FRONTEND_URL=None, PUBLIC_API_URL="https://api.example.com")
    assert own_pages.email_links.link(frontend="/x", api="/auth/pages/verify-email#token=t") == (
        "https://api.example.com/api/v1/auth/pages/verify-email#token=t"
    )


def test_development_links_lead_to_the_api_make_run_serves() -> None:
    config = AppConfig(ENVIRONMENT=Environment.DEVELOPMENT, FRONTEND_URL=None, PUBLIC_API_URL=None)
    assert config.FRONTEND_URL is None  # nothing runs on a default front-end address
    assert config.email_links.link(frontend="/x", api="/chat/exports/1/download") == (
        "http://127.0.0.1:8000/api/v1/chat/exports/1/download"
    )


@pytest.mark.parametrize(
    "address", ["localhost:3000", "ftp://app.example", "https://app.example/?next=1", "https://"]
)
def test_link_addresses_must_be_plain_http_addresses(address: str) -> None:
    for name in ("FRONTEND_URL", "PUBLIC_API_URL"):
        setting: dict[str, Any] = {name: address}
        with pytest.raises(ValidationError, match=f"{name} must be an http"):
            AppConfig(**setting)


@pytest.mark.parametrize("environment", DEPLOYED)
@pytest.mark.parametrize("setting", ["FRONTEND_URL", "PUBLIC_API_URL"])
def test_deployments_refuse_email_links_over_plain_http(environment: Environment, setting: str) -> None:
    def deployed(url: str) -> AppConfig:
        return AppConfig.model_validate(
            {"ENVIRONMENT": environment, "SECRET_KEY": STRONG_SECRET, setting: url}
        )

    with pytest.raises(ValidationError, match=f"{setting} must be an https://"):
        deployed("http://app.example")
    assert getattr(deployed("https://app.example"), setting) == "https://app.example"
