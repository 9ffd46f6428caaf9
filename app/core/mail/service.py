"""The mail service: render a template and send it now, or queue it (durably, after commit)."""

from abc import ABC, abstractmethod

from app.core.mail.backends import MailBackend
from app.core.mail.message import EmailData, RenderedEmail
from app.core.mail.rendering import BaseTemplate
from app.core.queue.payload import TaskPayload
from app.core.queue.service import QueueServiceInterface
from app.core.settings.mail import MailSettings


class SendEmailPayload(TaskPayload):
    """A rendered email (app.core.mail.tasks.SendEmail sends it)."""

    __task_name__ = "mail.send"
    email: RenderedEmail


def render(template: BaseTemplate, email_data: EmailData) -> RenderedEmail:
    markup, text = template.render()
    return RenderedEmail(email=email_data, html=markup, text=text)


class MailServiceInterface(ABC):
    @abstractmethod
    async def send(self, template: BaseTemplate, email_data: EmailData) -> None:
        """Send now; raises if the message cannot be delivered."""

    @abstractmethod
    async def queue(self, template: BaseTemplate, email_data: EmailData) -> int:
        """Send from a worker once the unit of work commits; returns the queued message id."""


class DefaultMailService(MailServiceInterface):
    def __init__(self, settings: MailSettings, backend: MailBackend, queue: QueueServiceInterface) -> None:
        self._settings = settings
        self._backend = backend
        self._queue = queue

    async def send(self, template: BaseTemplate, email_data: EmailData) -> None:
        await self.deliver(render(template, email_data))

    async def queue(self, template: BaseTemplate, email_data: EmailData) -> int:
        # Rendered now: the worker needs no template classes, and the email shows what was true
        # when it was requested.
        rendered = render(template, email_data)
        return await self._queue.push(SendEmailPayload(email=rendered))

    async def deliver(self, rendered: RenderedEmail) -> None:
        message = rendered.to_message(self._settings.MAIL_FROM_ADDRESS, self._settings.MAIL_FROM_NAME)
        await self._backend.send(message)
