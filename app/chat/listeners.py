"""Reactions to events: other modules' (account deletion, revoked access) and this module's (mentions)."""

from app.auth import AccessRevoked, UserDeleted, auth_gateway
from app.chat.config import get_chat_config
from app.chat.events import MessagePosted
from app.chat.models import Message, Room
from app.chat.repositories.room import MemberRepository, MessageRepository
from app.chat.services import fanout
from app.chat.services.mention_limits import MentionMailLimits
from app.chat.services.mentions import MentionNotifier
from app.core.events import ListenedEvent, listener
from app.core.runtime import current_resources
from app.core.services import platform_context


@listener(UserDeleted)
async def forget_deleted_user(event: ListenedEvent) -> None:
    """A deleted account's messages stay, without author; its memberships go."""
    async with platform_context() as context:
        await MessageRepository(context.session).anonymize_author(event.data["id"])
        await MemberRepository(context.session).remove_user(event.data["id"])


@listener(AccessRevoked)
async def close_revoked_sockets(event: ListenedEvent) -> None:
    """Every API process closes the user's sockets (only the session's, if one) with 4401."""
    order = fanout.revoked(event.data["user_id"], event.data["session_id"])
    await fanout.publish_close(current_resources().redis, get_chat_config().CHANNEL_PREFIX, order)


@listener(MessagePosted)
async def email_mentioned_users(event: ListenedEvent) -> None:
    async with platform_context() as context:
        message = await context.session.get(Message, event.data["id"])
        room = await context.session.get(Room, event.data["room_id"])
        if message is None or room is None:
            return
        config = get_chat_config()
        limits = MentionMailLimits(
            context.resources.redis,
            per_sender=config.MENTION_EMAILS_PER_SENDER,
            per_recipient=config.MENTION_EMAILS_PER_RECIPIENT,
            window_seconds=config.MENTION_EMAIL_WINDOW,
        )
        notifier = MentionNotifier(
            gateway=auth_gateway(context.session, context.resources.redis),
            members=MemberRepository(context.session),
            mail=context.mail,
            limits=limits,
            frontend_url=context.config.FRONTEND_URL,
        )
        await notifier.notify(message, room, event.data["author_id"])
