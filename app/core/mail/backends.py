"""Where messages go: an SMTP server, the console, or a list in memory (tests)."""

import sys
from abc import ABC, abstractmethod
from email.message import EmailMessage

from app.core.mail.readable import readable
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
        # Imported on the first send: only a worker sends (the API queues), and the console and
        # memory backends never need it.
        import aiosmtplib  # noqa: PLC0415

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
    """Prints each message, decoded and readable, to standard output (where the process logs, so
    `make run` shows it), for development without an SMTP server. It prints every link an email
    carries, tokens included: the settings refuse it outside development and testing."""

    async def send(self, message: EmailMessage) -> None:
        text = readable(message)
        # A terminal or pipe that cannot show a character gets an escape, not a failed delivery.
        encoding = sys.stdout.encoding or "utf-8"
        sys.stdout.write(text.encode(encoding, "backslashreplace").decode(encoding))
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
