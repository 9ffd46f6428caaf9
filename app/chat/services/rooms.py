"""Rooms and their members."""

from collections.abc import Callable

from redis.asyncio import Redis
from sqlalchemy.exc import IntegrityError

from app.auth import AuthGatewayInterface, Principal
from app.chat.exceptions import AlreadyMember, NotAMember, RoomNotFound
from app.chat.models import Member, Room
from app.chat.policies.rooms import ensure_can_delete_room
from app.chat.repositories.room import MemberRepository, RoomRepository
from app.chat.schemas.room import MemberResponse, RoomCreate, RoomListParams
from app.chat.services import fanout
from app.core.db import AfterCommitHook, PaginatedResult


class RoomService:
    def __init__(
        self,
        *,
        rooms: RoomRepository,
        members: MemberRepository,
        gateway: AuthGatewayInterface,
        redis: Redis,
        channel_prefix: str,
        after_commit: Callable[[AfterCommitHook], None],
    ) -> None:
        self._rooms = rooms
        self._members = members
        self._gateway = gateway
        self._redis = redis
        self._channel_prefix = channel_prefix
        self._after_commit = after_commit

    def _close_sockets_after_commit(self, order: fanout.CloseOrder) -> None:
        """Open WebSockets (on every API process) lose the room with the membership."""
        redis, prefix = self._redis, self._channel_prefix

        async def close() -> None:
            await fanout.publish_close(redis, prefix, order)

        self._after_commit(close)

    async def get(self, room_id: int) -> Room:
        room = await self._rooms.get(room_id)
        if room is None:
            raise RoomNotFound()
        return room

    async def get_list(self, params: RoomListParams) -> PaginatedResult[Room]:
        return await self._rooms.list(params)

    async def create(self, owner: Principal, data: RoomCreate) -> Room:
        room = await self._rooms.create({"name": data.name, "owner_id": owner.id})
        await self._members.create({"room_id": room.id, "user_id": owner.id})
        return room

    async def ensure_member(self, room_id: int, user: Principal) -> Room:
        room = await self.get(room_id)
        if await self._members.find(room.id, user.id) is None:
            raise NotAMember()
        return room

    async def join(self, room_id: int, user: Principal) -> None:
        room = await self.get(room_id)
        if await self._members.find(room.id, user.id) is not None:
            raise AlreadyMember()
        try:
            await self._members.create({"room_id": room.id, "user_id": user.id})
        except IntegrityError as error:  # joined twice at once
            raise AlreadyMember() from error

    async def leave(self, room_id: int, user: Principal) -> None:
        room = await self.get(room_id)
        member = await self._members.find(room.id, user.id)
        if member is None:
            raise NotAMember("You are not a member of this room.")
        await self._members.delete(member)
        self._close_sockets_after_commit(fanout.left_room(room.id, user.id))

    async def members(self, room_id: int, user: Principal) -> list[MemberResponse]:
        await self.ensure_member(room_id, user)
        members: list[Member] = list(await self._members.of_room(room_id))
        users = await self._gateway.get_users([member.user_id for member in members])
        return [
            MemberResponse(user_id=m.user_id, username=users[m.user_id].username, joined_at=m.created_at)
            for m in members
            if m.user_id in users
        ]

    async def delete(self, room_id: int, user: Principal) -> None:
        room = await self.get(room_id)
        ensure_can_delete_room(user, room)
        await self._rooms.delete(room)
        self._close_sockets_after_commit(fanout.left_room(room.id))
