"""Settings read from the environment, then `.env`; the environment always wins.

Modules subclass `BaseConfig` with their own prefix::

    class AuthConfig(BaseConfig):
        model_config = SettingsConfigDict(env_prefix="AUTH_")
"""

import json
from collections.abc import Iterable, Mapping
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Literal, Self, TypeVar

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.core.settings.cache import CacheSettings
from app.core.settings.limiter import RateLimiterSettings
from app.core.settings.links import DEVELOPMENT_API_URL, EmailLinks, LinkSettings
from app.core.settings.mail import MailSettings
from app.core.settings.queue import QueueSettings
from app.core.settings.security import SecurityHeaderSettings
from app.core.settings.server import ServerSettings

MIN_SIGNING_KEY_LENGTH = 32
# The default SECRET_KEY, so that development needs no setup. It is published (here, in
# .sample.env and in docker-compose.yaml): anyone can sign tokens with it.
DEVELOPMENT_SECRET_KEY = "insecure-development-secret-key-never-in-production"  # noqa: S105 - published on purpose
# Keys anyone can sign with: the published development key and placeholders people paste.
_PUBLISHED_SIGNING_KEYS = frozenset(
    {DEVELOPMENT_SECRET_KEY, "changeme", "change-me", "changeit", "secret", "secret-key", "your-secret-key"}
)
_GENERATE_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TESTING = "testing"
    STAGING = "staging"
    PRODUCTION = "production"

    @property
    def is_local(self) -> bool:
        """Development and testing: conveniences (published keys, docs, the demo page) are on.
        Every other environment is a deployment someone can reach."""
        return self in (Environment.DEVELOPMENT, Environment.TESTING)


def signing_key_problems(keys: Mapping[str, SecretStr | None]) -> list[str]:
    """What is wrong with each signing key, by setting name: missing, published or short.

    Every settings class holding a key the application signs or derives secrets with runs its keys
    through this outside development and testing, and refuses to load while any problem remains.
    """
    problems = []
    for name, key in keys.items():
        value = key.get_secret_value() if key is not None else ""
        if not value.strip():
            problem = "is not set"
        elif value.strip().lower() in _PUBLISHED_SIGNING_KEYS:
            problem = "is a published example value that anyone can sign with"
        elif len(value.encode()) < MIN_SIGNING_KEY_LENGTH:
            problem = f"is shorter than {MIN_SIGNING_KEY_LENGTH} bytes"
        else:
            continue
        problems.append(
            f"{name} {problem}: set it to a random value of at least {MIN_SIGNING_KEY_LENGTH} bytes "
            f"(generate one with: {_GENERATE_KEY})"
        )
    return problems


def refuse_to_start(environment: Environment, problems: list[str]) -> None:
    if problems:
        raise ValueError(f"refusing to start with ENVIRONMENT={environment.value}: " + "; ".join(problems))


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
    # hide_input_in_errors: a refused setting's message must not print the environment's secrets.
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,
        hide_input_in_errors=True,
    )

    def bind(self, app: "AppConfig") -> None:
        """Called with the app's own settings when the app installs these: check or derive what
        depends on them (the environment, SECRET_KEY). Nothing by default."""
        del app


CsvList = Annotated[list[str], NoDecode]


class AppConfig(
    ServerSettings,
    SecurityHeaderSettings,
    CacheSettings,
    RateLimiterSettings,
    QueueSettings,
    MailSettings,
    LinkSettings,
    BaseConfig,
):
    """Settings of the platform (no prefix, like the names in `.sample.env`).

    Each platform service declares its own settings next to its code; they are combined here so
    the whole platform reads one environment and tests can adjust one object.
    """

    ENVIRONMENT: Environment = Environment.DEVELOPMENT
    DEBUG: bool = False
    PROJECT_NAME: str = "FastAPI Modular Kit"
    # Outside development and testing it must be set to a random value (see signing_key_problems).
    SECRET_KEY: SecretStr = SecretStr(DEVELOPMENT_SECRET_KEY)
    # /docs, /redoc and /openapi.json. Empty: on in development and testing only (the schema maps
    # every route and parameter for an attacker too).
    DOCS_ENABLED: bool | None = None

    API_PREFIX: str = "/api/v1"
    CORS_ORIGINS: CsvList = Field(default_factory=list)
    # Host headers answered. Never "*" by default: URLs the framework builds (trailing-slash
    # redirects) take their host from this header. Name your public host(s) in deployments.
    TRUSTED_HOSTS: CsvList = Field(default_factory=lambda: ["localhost", "127.0.0.1"])
    MAX_REQUEST_BODY_BYTES: int = Field(default=1_048_576, ge=0)
    # Nesting of a JSON body beyond this is refused with 422 before any route parses it: the
    # kit's schemas nest a few levels, and deep nesting only costs the parser and the validator.
    # At most 200: a 422 echoes the input, and orjson renders no deeper than 255 levels.
    MAX_REQUEST_JSON_DEPTH: int = Field(default=32, ge=1, le=200)
    GZIP_MINIMUM_SIZE: int = Field(default=1000, ge=0)

    DATABASE_URL: str = "postgresql+psycopg://postgres@127.0.0.1:5432/kit"
    DATABASE_POOL_SIZE: int = Field(default=10, ge=1)
    DATABASE_MAX_OVERFLOW: int = Field(default=10, ge=0)
    # Read-only units of work (requests with GET, HEAD or OPTIONS) have a pool of their own: a
    # process opens up to the sum of both pools' sizes and overflows (40 by default: keep the sum
    # over every process under PostgreSQL's max_connections, 100 by default). Reads check a
    # connection out for a statement or two, so under load they come and go fast; a connection
    # beyond the pool size is closed when it comes back, and the next burst opens it again (a
    # connect costs more CPU than a hundred reads): the read pool keeps all of its 20.
    DATABASE_READ_POOL_SIZE: int = Field(default=20, ge=1)
    DATABASE_READ_MAX_OVERFLOW: int = Field(default=0, ge=0)
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
    # With a token, GET /metrics answers only `Authorization: Bearer <token>`. Outside development
    # and testing /metrics is served only with one (the API port is public; the numbers describe
    # its traffic and routes).
    METRICS_TOKEN: SecretStr | None = None
    METRICS_WORKER_PORT: int = Field(default=0, ge=0, le=65535)

    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    LOG_FORMAT: Literal["auto", "json", "console"] = "auto"

    @field_validator("CORS_ORIGINS", "TRUSTED_HOSTS", mode="before")
    @classmethod
    def _parse_lists(cls, value: object) -> object:
        return _split_csv(value)

    @model_validator(mode="after")
    def _refuse_unsafe_deployment(self) -> Self:
        if self.ENVIRONMENT.is_local:
            return self
        # Unset, SECRET_KEY is the published development key: say so rather than "published".
        secret_key = self.SECRET_KEY if "SECRET_KEY" in self.model_fields_set else None
        keys = {"SECRET_KEY": secret_key}
        if self.METRICS_TOKEN is not None:
            # Not a signing key, but a bearer secret on the public port: guessable is as bad.
            keys["METRICS_TOKEN"] = self.METRICS_TOKEN
        problems = signing_key_problems(keys)
        if self.is_production and self.DEBUG:
            problems.append("DEBUG must be false")
        problems += self._mail_problems()
        refuse_to_start(self.ENVIRONMENT, problems)
        return self

    def _mail_problems(self) -> list[str]:
        """What a deployment's mail settings get wrong: the console backend prints every email,
        reset and verification tokens included, into the logs; and links with nowhere to lead
        would point at a development address nobody reaches."""
        problems = []
        if self.mail_backend == "console":
            problems.append(
                "MAIL_BACKEND is console (the default while MAIL_SMTP_HOST is unset), which prints "
                "emails and the tokens they carry into the logs: set MAIL_SMTP_HOST"
            )
        if self.FRONTEND_URL is None and self.PUBLIC_API_URL is None:
            problems.append(
                "FRONTEND_URL is not set: set it to the front end that opens the links in emails, "
                "or set PUBLIC_API_URL to the API's public address to use the API's own pages"
            )
        for name in ("FRONTEND_URL", "PUBLIC_API_URL"):
            url = getattr(self, name)
            if url is not None and not url.startswith("https://"):
                # Reset and verification tokens ride in these links.
                problems.append(f"{name} must be an https:// address outside development and testing")
        return problems

    @property
    def queue_redis_url(self) -> str:
        return self.QUEUE_REDIS_URL or self.REDIS_URL

    @property
    def is_production(self) -> bool:
        return self.ENVIRONMENT is Environment.PRODUCTION

    @property
    def docs_enabled(self) -> bool:
        return self.ENVIRONMENT.is_local if self.DOCS_ENABLED is None else self.DOCS_ENABLED

    @property
    def metrics_endpoint_enabled(self) -> bool:
        """Whether the API serves GET /metrics (metrics are collected whenever METRICS_ENABLED)."""
        return self.METRICS_ENABLED and (self.ENVIRONMENT.is_local or self.METRICS_TOKEN is not None)

    @property
    def email_links(self) -> EmailLinks:
        """Where the links in emails lead (see LinkSettings)."""
        api = self.PUBLIC_API_URL or (DEVELOPMENT_API_URL if self.ENVIRONMENT.is_local else None)
        return EmailLinks(self.FRONTEND_URL, f"{api}{self.API_PREFIX}" if api else None)

    @property
    def log_format(self) -> Literal["json", "console"]:
        if self.LOG_FORMAT != "auto":
            return self.LOG_FORMAT
        return "console" if self.ENVIRONMENT is Environment.DEVELOPMENT else "json"


@lru_cache
def get_app_config() -> AppConfig:
    """The process-wide settings, read once."""
    return AppConfig()


SettingsT = TypeVar("SettingsT", bound=BaseConfig)


class ModuleSettings:
    """The installed modules' settings of one app (or worker, or CLI command): the instances it
    was given (`create_app(config, settings=[AuthConfig(...)])`), else the environment's, read
    once at startup (`load`), never at import. Each is bound to the app's own settings."""

    def __init__(self, config: AppConfig, given: Iterable[BaseConfig] = ()) -> None:
        self._config = config
        self._loaded: dict[type[BaseConfig], BaseConfig] = {}
        for settings in given:
            self._add(settings)

    def load(self, settings_classes: Iterable[type[BaseConfig]]) -> None:
        """Read every one now (at startup): a wrong setting stops the process before it serves."""
        for settings_class in settings_classes:
            self.get(settings_class)

    def get(self, settings_class: type[SettingsT]) -> SettingsT:
        loaded = self._loaded.get(settings_class)
        if loaded is None:
            loaded = self._add(settings_class())
        if not isinstance(loaded, settings_class):  # keyed by its own class: never
            raise TypeError(settings_class.__name__)
        return loaded

    def _add(self, settings: BaseConfig) -> BaseConfig:
        # A copy: the instance given may be given to another app too (the API's and the worker's
        # of one process), bound to other settings.
        settings = settings.model_copy()
        settings.bind(self._config)
        self._loaded[type(settings)] = settings
        return settings
