from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Row, delete, func, select, update

from app.chat.models import Member, Message, Room
from app.core.db import BaseRepository


class RoomRepository(BaseRepository[Room]):
    model = Room


class MemberRepository(BaseRepository[Member]):
    model = Member

    async def find(self, room_id: int, user_id: int) -> Member | None:
        return await self.session.scalar(
            select(Member).where(Member.room_id == room_id, Member.user_id == user_id)
        )

    async def of_room(self, room_id: int) -> Sequence[Member]:
        return list(
            await self.session.scalars(select(Member).where(Member.room_id == room_id).order_by(Member.id))
        )

    async def remove_user(self, user_id: int) -> None:
        await self.session.execute(delete(Member).where(Member.user_id == user_id))

    async def members_among(self, room_id: int, user_ids: Collection[int]) -> set[int]:
        """Which of `user_ids` are members of the room."""
        if not user_ids:
            return set()
        statement = select(Member.user_id).where(Member.room_id == room_id, Member.user_id.in_(user_ids))
        return set(await self.session.scalars(statement))


# id, author_id, created_at, edited_at, body: what an export writes of a message.
ExportedMessage = Row[int, int | None, datetime, datetime | None, str]


class MessageRepository(BaseRepository[Message]):
    model = Message

    async def anonymize_author(self, user_id: int) -> None:
        await self.session.execute(update(Message).where(Message.author_id == user_id).values(author_id=None))

    async def count_in_room(self, room_id: int) -> int:
        statement = select(func.count()).select_from(Message).where(Message.room_id == room_id)
        return int(await self.session.scalar(statement) or 0)

    async def page_after(self, room_id: int, after_id: int, limit: int) -> Sequence[ExportedMessage]:
        """Up to `limit` messages of the room with ids above `after_id`, in id order: a keyset page
        (an index range scan, however deep into the room), columns only."""
        statement = (
            select(Message.id, Message.author_id, Message.created_at, Message.edited_at, Message.body)
            .where(Message.room_id == room_id, Message.id > after_id)
            .order_by(Message.id)
            .limit(limit)
        )
        return (await self.session.execute(statement)).all()
