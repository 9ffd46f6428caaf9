"""Where messages go: an SMTP server, the console, or a list in memory (tests)."""

import sys
from abc import ABC, abstractmethod
from email.message import EmailMessage

import aiosmtplib

from app.core.settings.mail import MailSettings


class MailBackend(ABC):
    @abstractmethod
    async def send(self, message: EmailMessage) -> None:
        """Deliver or raise (so the queue retries)."""


class SmtpBackend(MailBackend):
    def __init__(self, settings: MailSettings) -> None:
        self._settings = settings

    async def send(self, message: EmailMessage) -> None:
        settings = self._settings
        if not settings.MAIL_SMTP_HOST:
            raise RuntimeError("MAIL_SMTP_HOST is not set")
        password = settings.MAIL_SMTP_PASSWORD.get_secret_value() if settings.MAIL_SMTP_PASSWORD else None
        # Explicit modes: implicit TLS, mandatory STARTTLS, or none at all (a plaintext server that
        # offers STARTTLS is not upgraded behind the settings' back).
        await aiosmtplib.send(
            message,
            hostname=settings.MAIL_SMTP_HOST,
            port=settings.MAIL_SMTP_PORT,
            use_tls=settings.MAIL_SMTP_SECURITY == "tls",
            start_tls=settings.MAIL_SMTP_SECURITY == "starttls",
            validate_certs=settings.MAIL_SMTP_VALIDATE_CERTS,
            cert_bundle=settings.MAIL_SMTP_CA_FILE,
            username=settings.MAIL_SMTP_USERNAME,
            password=password if settings.MAIL_SMTP_USERNAME else None,
            timeout=settings.MAIL_SMTP_TIMEOUT,
        )


class ConsoleBackend(MailBackend):
    """Prints each message to standard output, for development without an SMTP server."""

    async def send(self, message: EmailMessage) -> None:
        separator = "-" * 72
        sys.stdout.write(f"{separator}\n{message.as_string()}\n{separator}\n")
        sys.stdout.flush()


class MemoryBackend(MailBackend):
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


def create_backend(settings: MailSettings) -> MailBackend:
    backend = settings.mail_backend
    if backend == "smtp":
        return SmtpBackend(settings)
    if backend == "memory":
        return MemoryBackend()
    return ConsoleBackend()
