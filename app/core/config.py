"""Settings read from the environment, then `.env`; the environment always wins.

Modules subclass `BaseConfig` with their own prefix::

    class AuthConfig(BaseConfig):
        model_config = SettingsConfigDict(env_prefix="AUTH_")
"""

import json
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.core.settings.cache import CacheSettings
from app.core.settings.limiter import RateLimiterSettings
from app.core.settings.mail import MailSettings
from app.core.settings.queue import QueueSettings

# Values that look like secrets but are published in samples and docs.
_KNOWN_WEAK_SECRETS = frozenset(
    {"", "changeme", "change-me", "secret", "insecure-development-secret-key-never-in-production"}
)
MIN_SECRET_KEY_LENGTH = 32


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TESTING = "testing"
    STAGING = "staging"
    PRODUCTION = "production"


def _split_csv(value: object) -> object:
    """Accept `a,b` as well as a JSON list for list settings, which reads better in .env files."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            return json.loads(stripped)
        return [item.strip() for item in stripped.split(",") if item.strip()]
    return value


class BaseConfig(BaseSettings):
    """Base of every settings class: `.env` support, unknown keys ignored."""

    # env_ignore_empty: `NAME=` in .env means "use the default", as .sample.env documents.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )


CsvList = Annotated[list[str], NoDecode]


class AppConfig(CacheSettings, RateLimiterSettings, QueueSettings, MailSettings, BaseConfig):
    """Settings of the platform (no prefix, like the names in `.sample.env`).

    Each platform service declares its own settings next to its code; they are combined here so
    the whole platform reads one environment and tests can adjust one object.
    """

    ENVIRONMENT: Environment = Environment.DEVELOPMENT
    DEBUG: bool = False
    PROJECT_NAME: str = "FastAPI Modular Kit"
    SECRET_KEY: SecretStr = SecretStr("insecure-development-secret-key-never-in-production")

    API_PREFIX: str = "/api/v1"
    CORS_ORIGINS: CsvList = Field(default_factory=list)
    TRUSTED_HOSTS: CsvList = Field(default_factory=lambda: ["*"])
    MAX_REQUEST_BODY_BYTES: int = Field(default=1_048_576, ge=0)
    GZIP_MINIMUM_SIZE: int = Field(default=1000, ge=0)

    DATABASE_URL: str = "postgresql+psycopg://postgres@127.0.0.1:5432/kit"
    DATABASE_POOL_SIZE: int = Field(default=10, ge=1)
    DATABASE_MAX_OVERFLOW: int = Field(default=10, ge=0)
    # Read-only units of work (requests with GET, HEAD or OPTIONS) have a pool of their own: a
    # process opens up to the sum of both pools' connections.
    DATABASE_READ_POOL_SIZE: int = Field(default=10, ge=1)
    DATABASE_READ_MAX_OVERFLOW: int = Field(default=10, ge=0)
    DATABASE_POOL_TIMEOUT: float = Field(default=10.0, gt=0)
    DATABASE_POOL_RECYCLE: int = Field(default=1800, ge=-1)
    DATABASE_ECHO: bool = False
    # A pooled connection is polled (no round trip) before each use, and pinged with a query
    # only if it sat unused longer than this (see app/core/db/liveness.py).
    DATABASE_PING_AFTER: float = Field(default=5.0, ge=0)
    # Shown in pg_stat_activity, so operators can tell (and terminate) this service's sessions.
    DATABASE_APPLICATION_NAME: str = Field(default="fastapi-modular-kit", max_length=63)

    REDIS_URL: str = "redis://127.0.0.1:6379/0"
    REDIS_TIMEOUT: float = Field(default=2.0, gt=0)

    HEALTH_CHECK_TIMEOUT: float = Field(default=2.0, gt=0)
    # GET /metrics on the API; a worker serves its own on METRICS_WORKER_PORT (0: off).
    METRICS_ENABLED: bool = True
    METRICS_WORKER_PORT: int = Field(default=0, ge=0, le=65535)
    # Links in emails point here (never at the Host header of a request).
    FRONTEND_URL: str = "http://localhost:3000"

    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    LOG_FORMAT: Literal["auto", "json", "console"] = "auto"

    @field_validator("CORS_ORIGINS", "TRUSTED_HOSTS", mode="before")
    @classmethod
    def _parse_lists(cls, value: object) -> object:
        return _split_csv(value)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Self:
        if self.ENVIRONMENT is not Environment.PRODUCTION:
            return self
        problems = []
        secret = self.SECRET_KEY.get_secret_value()
        if secret.strip().lower() in _KNOWN_WEAK_SECRETS or len(secret) < MIN_SECRET_KEY_LENGTH:
            problems.append(
                f"SECRET_KEY must be set to a random value of at least {MIN_SECRET_KEY_LENGTH} characters "
                '(generate one with: python -c "import secrets; print(secrets.token_urlsafe(48))")'
            )
        if self.DEBUG:
            problems.append("DEBUG must be false")
        if problems:
            raise ValueError("refusing to start in production: " + "; ".join(problems))
        return self

    @property
    def queue_redis_url(self) -> str:
        return self.QUEUE_REDIS_URL or self.REDIS_URL

    @property
    def is_production(self) -> bool:
        return self.ENVIRONMENT is Environment.PRODUCTION

    @property
    def log_format(self) -> Literal["json", "console"]:
        if self.LOG_FORMAT != "auto":
            return self.LOG_FORMAT
        return "console" if self.ENVIRONMENT is Environment.DEVELOPMENT else "json"


@lru_cache
def get_app_config() -> AppConfig:
    """The process-wide settings, read once."""
    return AppConfig()
