from collections.abc import Sequence

from sqlalchemy import delete, select, update

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


class MessageRepository(BaseRepository[Message]):
    model = Message

    async def anonymize_author(self, user_id: int) -> None:
        await self.session.execute(update(Message).where(Message.author_id == user_id).values(author_id=None))
