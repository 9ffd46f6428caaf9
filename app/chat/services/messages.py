"""Messages: stored first, then broadcast to the room (after commit) and announced as an event.
The emails for @mentions are queued in the same transaction."""

from app.auth import Principal
from app.chat.events import MessagePosted
from app.chat.exceptions import MessageNotFound
from app.chat.models import Message
from app.chat.policies.rooms import ensure_can_delete_message, ensure_can_edit_message
from app.chat.schemas.message import MessageResponse
from app.chat.schemas.room import MessageListParams
from app.chat.services import fanout
from app.chat.services.context import ChatContext
from app.chat.services.mention_limits import MentionMailLimits
from app.chat.services.mentions import MentionNotifier
from app.chat.services.rooms import RoomService
from app.core.clock import utcnow
from app.core.db import PaginatedResult


class MessageService:
    def __init__(self, context: ChatContext) -> None:
        self._context = context
        self._rooms = RoomService(context)

    def _broadcast_after_commit(self, room_id: int, kind: str, message: Message) -> None:
        context = self._context
        payload = {"type": kind, "message": MessageResponse.model_validate(message).model_dump(mode="json")}

        async def broadcast() -> None:
            await fanout.publish(context.redis, context.config.CHANNEL_PREFIX, room_id, payload)

        context.unit_of_work.after_commit(broadcast)

    def _mentions(self) -> MentionNotifier:
        context, config = self._context, self._context.config
        limits = MentionMailLimits(
            context.redis,
            per_sender=config.MENTION_EMAILS_PER_SENDER,
            per_recipient=config.MENTION_EMAILS_PER_RECIPIENT,
            window_seconds=config.MENTION_EMAIL_WINDOW,
        )
        return MentionNotifier(
            gateway=context.gateway,
            members=context.members,
            mail=context.mail,
            limits=limits,
            frontend_url=context.frontend_url,
        )

    async def post(self, room_id: int, author: Principal, body: str) -> Message:
        room = await self._rooms.ensure_member(room_id, author)
        message = await self._context.messages.create(
            {"room_id": room_id, "author_id": author.id, "body": body}
        )
        self._broadcast_after_commit(room_id, "message", message)
        await self._mentions().notify(message, room, author.id)
        self._context.events.dispatch(MessagePosted(id=message.id, room_id=room_id, author_id=author.id))
        return message

    async def get_list(
        self, room_id: int, reader: Principal, params: MessageListParams
    ) -> PaginatedResult[Message]:
        await self._rooms.ensure_member(room_id, reader)
        return await self._context.messages.list(params, Message.room_id == room_id)

    async def _get(self, room_id: int, message_id: int) -> Message:
        message = await self._context.messages.get(message_id)
        if message is None or message.room_id != room_id:
            raise MessageNotFound()
        return message

    async def edit(self, room_id: int, message_id: int, editor: Principal, body: str) -> Message:
        await self._rooms.ensure_member(room_id, editor)
        message = await self._get(room_id, message_id)
        ensure_can_edit_message(editor, message)
        await self._context.messages.update(message, {"body": body, "edited_at": utcnow()})
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
        await self._context.messages.delete(message)
        self._broadcast_after_commit(room_id, "message_deleted", message)
