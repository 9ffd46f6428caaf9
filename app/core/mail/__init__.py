"""Email: Jinja2 templates, multipart messages, SMTP/console/memory backends, queued sending."""

from app.core.mail.backends import ConsoleBackend, MailBackend, MemoryBackend, SmtpBackend
from app.core.mail.message import EmailData, RenderedEmail
from app.core.mail.rendering import BaseTemplate, ViewTemplate
from app.core.mail.service import DefaultMailService, MailServiceInterface

__all__ = [
    "BaseTemplate",
    "ConsoleBackend",
    "DefaultMailService",
    "EmailData",
    "MailBackend",
    "MailServiceInterface",
    "MemoryBackend",
    "RenderedEmail",
    "SmtpBackend",
    "ViewTemplate",
]
