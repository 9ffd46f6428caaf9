"""Rooms and their members."""

from sqlalchemy.exc import IntegrityError

from app.auth import Principal
from app.chat.exceptions import AlreadyMember, NotAMember, RoomNotFound
from app.chat.models import Member, Room
from app.chat.policies.rooms import ensure_can_delete_room
from app.chat.schemas.room import MemberResponse, RoomCreate, RoomListParams
from app.chat.services import fanout
from app.chat.services.context import ChatContext
from app.core.db import PaginatedResult


class RoomService:
    def __init__(self, context: ChatContext) -> None:
        self._context = context

    def _close_sockets_after_commit(self, order: fanout.CloseOrder) -> None:
        """Open WebSockets (on every API process) lose the room with the membership."""
        context = self._context

        async def close() -> None:
            await fanout.publish_close(context.redis, context.config.CHANNEL_PREFIX, order)

        context.unit_of_work.after_commit(close)

    async def get(self, room_id: int) -> Room:
        room = await self._context.rooms.get(room_id)
        if room is None:
            raise RoomNotFound()
        return room

    async def get_list(self, params: RoomListParams) -> PaginatedResult[Room]:
        return await self._context.rooms.list(params)

    async def create(self, owner: Principal, data: RoomCreate) -> Room:
        room = await self._context.rooms.create({"name": data.name, "owner_id": owner.id})
        await self._context.members.create({"room_id": room.id, "user_id": owner.id})
        return room

    async def ensure_member(self, room_id: int, user: Principal) -> Room:
        room = await self.get(room_id)
        if await self._context.members.find(room.id, user.id) is None:
            raise NotAMember()
        return room

    async def join(self, room_id: int, user: Principal) -> None:
        room = await self.get(room_id)
        if await self._context.members.find(room.id, user.id) is not None:
            raise AlreadyMember()
        try:
            await self._context.members.create({"room_id": room.id, "user_id": user.id})
        except IntegrityError as error:  # joined twice at once
            raise AlreadyMember() from error

    async def leave(self, room_id: int, user: Principal) -> None:
        room = await self.get(room_id)
        member = await self._context.members.find(room.id, user.id)
        if member is None:
            raise NotAMember("You are not a member of this room.")
        await self._context.members.delete(member)
        self._close_sockets_after_commit(fanout.left_room(room.id, user.id))

    async def members(self, room_id: int, user: Principal) -> list[MemberResponse]:
        await self.ensure_member(room_id, user)
        members: list[Member] = list(await self._context.members.of_room(room_id))
        users = await self._context.gateway.get_users([member.user_id for member in members])
        return [
            MemberResponse(user_id=m.user_id, username=users[m.user_id].username, joined_at=m.created_at)
            for m in members
            if m.user_id in users
        ]

    async def delete(self, room_id: int, user: Principal) -> None:
        room = await self.get(room_id)
        ensure_can_delete_room(user, room)
        await self._context.rooms.delete(room)
        self._close_sockets_after_commit(fanout.left_room(room.id))
