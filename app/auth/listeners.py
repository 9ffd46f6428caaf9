"""Reactions to the module's own events: the emails. Durable events, so they run in a worker."""

from app.auth.emails.templates import PasswordChanged as PasswordChangedEmail
from app.auth.events import PasswordChanged, UserCreated, UserUpdated
from app.auth.repositories.user import UserRepository
from app.auth.services.context import AuthContext
from app.auth.services.recovery import RecoveryService
from app.core.events import ListenedEvent, listener
from app.core.mail import EmailData
from app.core.services import platform_context

_HOW = {"changed": "changed", "reset": "reset with a reset link", "set": "set by an administrator"}


async def _send_verification(user_id: int) -> None:
    async with platform_context() as context:
        user = await UserRepository(context.session).get(user_id)
        if user is not None and user.is_active and user.email_verified_at is None:
            await RecoveryService(AuthContext.of(context)).send_verification(user)


@listener(UserCreated)
async def send_registration_email(event: ListenedEvent) -> None:
    if event.data["self_registered"]:
        await _send_verification(event.data["id"])


@listener(UserUpdated)
async def send_verification_for_new_email(event: ListenedEvent) -> None:
    if event.data["email_changed"]:
        await _send_verification(event.data["id"])


@listener(PasswordChanged)
async def send_password_changed_email(event: ListenedEvent) -> None:
    async with platform_context() as context:
        user = await UserRepository(context.session).get(event.data["id"])
        if user is None:
            return
        template = PasswordChangedEmail(
            username=user.username,
            how=_HOW.get(event.data["how"], "changed"),
            project_name=context.config.PROJECT_NAME,
        )
        await context.mail.queue(
            template, EmailData(subject="Your password was changed", recipient=user.email)
        )
