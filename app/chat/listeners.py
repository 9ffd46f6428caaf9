"""Reactions to other modules' events: account deletion (durable: a data change) and revoked
access (in-process: every API process is told at once; if one is lost, a socket still re-checks
its access on every message and closes when its token expires)."""

from app.auth import AccessRevoked, UserDeleted
from app.chat.config import ChatConfig
from app.chat.repositories.room import MemberRepository, MessageRepository
from app.chat.services import fanout
from app.core.events import ListenedEvent
from app.core.events.listener import listener
from app.core.platform import Platform, platform_context


@listener(UserDeleted, durable=True)
async def forget_deleted_user(event: ListenedEvent, platform: Platform) -> None:
    """A deleted account's messages stay, without author; its memberships go."""
    await MessageRepository(platform.session).anonymize_author(event.data["id"])
    await MemberRepository(platform.session).remove_user(event.data["id"])


@listener(AccessRevoked)
async def close_revoked_sockets(event: ListenedEvent) -> None:
    """Every API process closes the user's sockets (only the session's or the API key's, if one)
    with 4401."""
    order = fanout.revoked(event.data["user_id"], event.data["session_id"], event.data.get("api_key_id"))
    async with platform_context() as platform:
        await fanout.publish_close(platform.redis, platform.settings(ChatConfig).CHANNEL_PREFIX, order)
