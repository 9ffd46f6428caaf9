"""Settings of the auth module (prefix AUTH_)."""

from typing import Annotated, Literal

from pydantic import Field, PrivateAttr, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from app.core.config import AppConfig, BaseConfig, Environment, refuse_to_start, signing_key_problems


class AuthConfig(BaseConfig):
    model_config = SettingsConfigDict(env_prefix="AUTH_")

    # None: allowed in development and testing, refused elsewhere unless set to true.
    REGISTRATION_ALLOWED: bool | None = None
    # Signs access tokens; falls back to SECRET_KEY. Outside development and testing: at least 32
    # random bytes, never a published example value (checked at startup, like SECRET_KEY).
    JWT_SECRET: SecretStr | None = None
    # HMAC: tokens are signed and checked with the one secret above (jwt is loaded without the
    # asymmetric algorithms, see app.auth.services.tokens).
    JWT_ALGORITHM: Literal["HS256", "HS384", "HS512"] = "HS256"
    JWT_ISSUER: str = "fastapi-modular-kit"
    JWT_AUDIENCE: str = "fastapi-modular-kit:api"
    ACCESS_TOKEN_TTL: int = Field(default=900, ge=30, description="Seconds.")
    REFRESH_TOKEN_TTL: int = Field(
        default=30 * 24 * 3600, ge=60, description="Absolute session lifetime, seconds."
    )
    REFRESH_IDLE_TIMEOUT: int = Field(default=7 * 24 * 3600, ge=60, description="Seconds without a refresh.")
    # A rotated refresh token presented again within this many seconds is a client race (answered
    # 401, session kept); later it is reuse of a stolen token and the whole session is revoked.
    REFRESH_REUSE_GRACE: int = Field(default=10, ge=0)
    RESET_TOKEN_TTL: int = Field(default=3600, ge=60)
    VERIFY_TOKEN_TTL: int = Field(default=48 * 3600, ge=60)
    PASSWORD_MIN_LENGTH: int = Field(default=8, ge=8)
    PASSWORD_MAX_LENGTH: int = Field(default=128, le=1024)
    # argon2id cost; pwdlib's recommended values by default. Tests lower them.
    ARGON2_TIME_COST: int = Field(default=3, ge=1)
    ARGON2_MEMORY_COST: int = Field(default=65536, ge=1024, description="KiB.")
    ARGON2_PARALLELISM: int = Field(default=4, ge=1)
    # Hashes computed at once; each uses ARGON2_MEMORY_COST and most of a core.
    HASHING_CONCURRENCY: int = Field(default=2, ge=1)
    # Seconds the current user is cached in Redis (0: no cache; revoked sessions are checked anyway).
    CURRENT_USER_CACHE_TTL: int = Field(default=60, ge=0)
    # Requests per minute per client address and per account on login, register, restore, resend.
    RATE_LIMIT_PER_IP: int = Field(default=20, ge=1)
    RATE_LIMIT_PER_ACCOUNT: int = Field(default=5, ge=1)
    # Checks of the current password (password change, email change, account deletion) per user
    # per minute: a stolen access token must not become an unlimited password oracle, and each
    # check takes a hashing slot other users' logins wait for.
    PASSWORD_CHECKS_PER_MINUTE: int = Field(default=5, ge=1)
    # Seconds an audit log entry is kept (365 days) before the hourly purge deletes it.
    AUDIT_RETENTION: int = Field(default=365 * 24 * 3600, ge=3600)
    # API keys a user may hold at once (revoked ones do not count; expired ones do until revoked).
    API_KEYS_PER_USER: int = Field(default=50, ge=1, le=1000)

    # Sensitive actions (password, email, account deletion, two-factor, administration) need an
    # authentication this recent (seconds); older sessions re-authenticate at /auth/step-up.
    STEP_UP_MAX_AGE: int = Field(default=600, ge=30)
    # How long the token of a sign-in's second step lives (seconds).
    SECOND_FACTOR_TTL: int = Field(default=300, ge=30, le=3600)
    # Second-step attempts per account per SECOND_FACTOR_WINDOW seconds (per client address:
    # RATE_LIMIT_PER_IP per minute). With codes valid for three 30-second steps, 5 per 5 minutes
    # leaves one who has the password about a 0.4% chance a day of guessing a code.
    SECOND_FACTOR_ATTEMPTS_PER_ACCOUNT: int = Field(default=5, ge=1)
    # Encrypts TOTP secrets at rest (a key is derived from it); falls back to SECRET_KEY. To
    # rotate, move the current value to TOTP_ENCRYPTION_OLD_KEYS and set a new one: old keys
    # only decrypt (README: "Two-factor secrets and key rotation").
    TOTP_ENCRYPTION_KEY: SecretStr | None = None
    TOTP_ENCRYPTION_OLD_KEYS: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)

    # From the app's settings, when the app installs these (bind).
    _app_secret: SecretStr | None = PrivateAttr(default=None)
    _environment: Environment | None = PrivateAttr(default=None)

    @field_validator("TOTP_ENCRYPTION_OLD_KEYS", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    def bind(self, app: AppConfig) -> None:
        # Unset, a key is SECRET_KEY, which the platform's settings check the same way.
        if not app.ENVIRONMENT.is_local:
            keys = {"AUTH_JWT_SECRET": self.JWT_SECRET, "AUTH_TOTP_ENCRYPTION_KEY": self.TOTP_ENCRYPTION_KEY}
            refuse_to_start(
                app.ENVIRONMENT,
                signing_key_problems({name: key for name, key in keys.items() if key is not None}),
            )
        self._app_secret = app.SECRET_KEY
        self._environment = app.ENVIRONMENT

    @property
    def jwt_secret(self) -> str:
        secret = self.JWT_SECRET or self._app_secret
        if secret is None:
            raise _unbound()
        return secret.get_secret_value()

    @property
    def totp_encryption_keys(self) -> list[str]:
        """The key that encrypts TOTP secrets, then the older ones that still decrypt."""
        current = self.TOTP_ENCRYPTION_KEY or self._app_secret
        if current is None:
            raise _unbound()
        return [key.get_secret_value() for key in (current, *self.TOTP_ENCRYPTION_OLD_KEYS)]

    @property
    def registration_allowed(self) -> bool:
        if self.REGISTRATION_ALLOWED is not None:
            return self.REGISTRATION_ALLOWED
        if self._environment is None:
            raise _unbound()
        return self._environment in (Environment.DEVELOPMENT, Environment.TESTING)


def _unbound() -> RuntimeError:
    return RuntimeError("AuthConfig is read through an app's settings: platform.settings(AuthConfig)")
