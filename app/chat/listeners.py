"""Reactions to events: other modules' (account deletion) and this module's (mentions)."""

from app.auth import UserDeleted, auth_gateway
from app.chat.events import MessagePosted
from app.chat.models import Message, Room
from app.chat.repositories.room import MemberRepository, MessageRepository
from app.chat.services import mentions
from app.core.events import ListenedEvent, listener
from app.core.services import platform_context


@listener(UserDeleted)
async def forget_deleted_user(event: ListenedEvent) -> None:
    """A deleted account's messages stay, without author; its memberships go."""
    async with platform_context() as context:
        await MessageRepository(context.session).anonymize_author(event.data["id"])
        await MemberRepository(context.session).remove_user(event.data["id"])


@listener(MessagePosted)
async def email_mentioned_users(event: ListenedEvent) -> None:
    async with platform_context() as context:
        message = await context.session.get(Message, event.data["id"])
        room = await context.session.get(Room, event.data["room_id"])
        if message is None or room is None:
            return
        usernames = mentions.mentioned_usernames(message.body)
        if not usernames:
            return
        gateway = auth_gateway(context.session, context.cache)
        author = await gateway.get_user(event.data["author_id"])
        if author is None:
            return
        users = await mentions.resolve(gateway, usernames)
        await mentions.notify(message, room, author, users, context.mail, context.config.FRONTEND_URL)
