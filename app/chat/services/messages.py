"""Messages: stored first, then broadcast to the room (after commit) and announced as an event.
The emails for @mentions are queued in the same transaction."""

from collections.abc import Callable

from redis.asyncio import Redis

from app.auth import Principal
from app.chat.events import MessagePosted
from app.chat.exceptions import MessageNotFound
from app.chat.models import Message
from app.chat.policies.rooms import ensure_can_delete_message, ensure_can_edit_message
from app.chat.repositories.room import MessageRepository
from app.chat.schemas.message import MessageResponse
from app.chat.schemas.room import MessageListParams
from app.chat.services import fanout
from app.chat.services.mentions import MentionNotifier
from app.chat.services.rooms import RoomService
from app.core.clock import utcnow
from app.core.db import AfterCommitHook, PaginatedResult
from app.core.events import EventsServiceInterface


class MessageService:
    def __init__(
        self,
        *,
        messages: MessageRepository,
        rooms: RoomService,
        mentions: MentionNotifier,
        events: EventsServiceInterface,
        redis: Redis,
        channel_prefix: str,
        after_commit: Callable[[AfterCommitHook], None],
    ) -> None:
        self._messages = messages
        self._rooms = rooms
        self._mentions = mentions
        self._events = events
        self._redis = redis
        self._channel_prefix = channel_prefix
        self._after_commit = after_commit

    def _broadcast_after_commit(self, room_id: int, kind: str, message: Message) -> None:
        redis, prefix = self._redis, self._channel_prefix
        payload = {"type": kind, "message": MessageResponse.model_validate(message).model_dump(mode="json")}

        async def broadcast() -> None:
            await fanout.publish(redis, prefix, room_id, payload)

        self._after_commit(broadcast)

    async def post(self, room_id: int, author: Principal, body: str) -> Message:
        room = await self._rooms.ensure_member(room_id, author)
        message = await self._messages.create({"room_id": room_id, "author_id": author.id, "body": body})
        self._broadcast_after_commit(room_id, "message", message)
        await self._mentions.notify(message, room, author.id)
        self._events.dispatch(MessagePosted(id=message.id, room_id=room_id, author_id=author.id))
        return message

    async def get_list(
        self, room_id: int, reader: Principal, params: MessageListParams
    ) -> PaginatedResult[Message]:
        await self._rooms.ensure_member(room_id, reader)
        return await self._messages.list(params, Message.room_id == room_id)

    async def _get(self, room_id: int, message_id: int) -> Message:
        message = await self._messages.get(message_id)
        if message is None or message.room_id != room_id:
            raise MessageNotFound()
        return message

    async def edit(self, room_id: int, message_id: int, editor: Principal, body: str) -> Message:
        await self._rooms.ensure_member(room_id, editor)
        message = await self._get(room_id, message_id)
        ensure_can_edit_message(editor, message)
        await self._messages.update(message, {"body": body, "edited_at": utcnow()})
        self._broadcast_after_commit(room_id, "message_edited", message)
        return message

    async def delete(self, room_id: int, message_id: int, user: Principal) -> None:
        room = (
            await self._rooms.ensure_member(room_id, user)
            if not user.is_admin
            else await self._rooms.get(room_id)
        )
        message = await self._get(room_id, message_id)
        ensure_can_delete_message(user, room, message)
        await self._messages.delete(message)
        self._broadcast_after_commit(room_id, "message_deleted", message)
