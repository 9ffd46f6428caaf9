from typing import Literal, Self

from pydantic import EmailStr, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings


class MailSettings(BaseSettings):
    # auto: smtp when MAIL_SMTP_HOST is set, else console (prints messages, like Django's; refused
    # outside development and testing, see AppConfig).
    MAIL_BACKEND: Literal["auto", "smtp", "console", "memory"] = "auto"
    MAIL_FROM_ADDRESS: EmailStr = "no-reply@example.com"
    MAIL_FROM_NAME: str = "FastAPI Modular Kit"
    MAIL_SMTP_HOST: str | None = None
    MAIL_SMTP_PORT: int = Field(default=1025, ge=1, le=65535)
    # none: plaintext (local catchers only); starttls: upgrade after connecting; tls: implicit TLS (465).
    MAIL_SMTP_SECURITY: Literal["none", "starttls", "tls"] = "none"
    MAIL_SMTP_USERNAME: str | None = None
    MAIL_SMTP_PASSWORD: SecretStr | None = None
    # Sending credentials over a plaintext connection must be asked for explicitly.
    MAIL_SMTP_ALLOW_PLAINTEXT_AUTH: bool = False
    MAIL_SMTP_VALIDATE_CERTS: bool = True
    # A CA bundle (PEM file) for servers with certificates from a private CA.
    MAIL_SMTP_CA_FILE: str | None = None
    MAIL_SMTP_TIMEOUT: float = Field(default=10.0, gt=0)

    @model_validator(mode="after")
    def _no_plaintext_credentials(self) -> Self:
        if (
            self.MAIL_SMTP_USERNAME
            and self.MAIL_SMTP_SECURITY == "none"
            and not self.MAIL_SMTP_ALLOW_PLAINTEXT_AUTH
        ):
            raise ValueError(
                "MAIL_SMTP_USERNAME is set but MAIL_SMTP_SECURITY is none: credentials would travel "
                "in plaintext. Use starttls or tls, or set MAIL_SMTP_ALLOW_PLAINTEXT_AUTH=true for a "
                "local catcher."
            )
        return self

    @property
    def mail_backend(self) -> Literal["smtp", "console", "memory"]:
        if self.MAIL_BACKEND != "auto":
            return self.MAIL_BACKEND
        return "smtp" if self.MAIL_SMTP_HOST else "console"
