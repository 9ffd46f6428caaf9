"""Reactions to other modules' events."""

from app.auth import UserDeleted
from app.chat.repositories.room import MemberRepository, MessageRepository
from app.core.events import ListenedEvent, listener
from app.core.services import platform_context


@listener(UserDeleted)
async def forget_deleted_user(event: ListenedEvent) -> None:
    """A deleted account's messages stay, without author; its memberships go."""
    async with platform_context() as context:
        await MessageRepository(context.session).anonymize_author(event.data["id"])
        await MemberRepository(context.session).remove_user(event.data["id"])
