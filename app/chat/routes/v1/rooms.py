"""Rooms, membership and messages over REST."""

from typing import Annotated

from fastapi import APIRouter, Depends

from app.chat.deps import ChatReader, ChatWriter, MessageServiceDep, RoomServiceDep, posting_limit
from app.chat.schemas.message import MessageCreate, MessageResponse, MessageUpdate
from app.chat.schemas.room import (
    MemberResponse,
    MessageFilterParam,
    MessageListParams,
    MessageSortParam,
    RoomCreate,
    RoomFilterParam,
    RoomListParams,
    RoomResponse,
    RoomSortParam,
)
from app.core.api import ListParamsBuilder, PaginatedResponse, ResourceId, error_responses

router = APIRouter(prefix="/chat/rooms", tags=["chat"])
room_params = ListParamsBuilder(RoomListParams, RoomSortParam, RoomFilterParam)
message_params = ListParamsBuilder(MessageListParams, MessageSortParam, MessageFilterParam)
ERRORS = error_responses(401, 403, 404, 422)


@router.post("", summary="Create a room", status_code=201, response_model=RoomResponse, responses=ERRORS)
async def create_room(body: RoomCreate, user: ChatWriter, rooms: RoomServiceDep) -> RoomResponse:
    """The creator owns the room and is its first member."""
    return RoomResponse.model_validate(await rooms.create(user, body))


@router.get("", summary="List rooms", response_model=PaginatedResponse[RoomResponse], responses=ERRORS)
async def list_rooms(
    params: Annotated[RoomListParams, Depends(room_params)], user: ChatReader, rooms: RoomServiceDep
) -> PaginatedResponse[RoomResponse]:
    del user
    return PaginatedResponse[RoomResponse].from_result(await rooms.get_list(params))


@router.get("/{room_id}", summary="Get a room", response_model=RoomResponse, responses=ERRORS)
async def get_room(room_id: ResourceId, user: ChatReader, rooms: RoomServiceDep) -> RoomResponse:
    del user
    return RoomResponse.model_validate(await rooms.get(room_id))


@router.delete("/{room_id}", summary="Delete a room", status_code=204, responses=ERRORS)
async def delete_room(room_id: ResourceId, user: ChatWriter, rooms: RoomServiceDep) -> None:
    """Owner or administrator; the room is soft-deleted."""
    await rooms.delete(room_id, user)


@router.post(
    "/{room_id}/join",
    summary="Join a room",
    status_code=204,
    responses=error_responses(401, 403, 404, 409, 422),
)
async def join_room(room_id: ResourceId, user: ChatWriter, rooms: RoomServiceDep) -> None:
    await rooms.join(room_id, user)


@router.post("/{room_id}/leave", summary="Leave a room", status_code=204, responses=ERRORS)
async def leave_room(room_id: ResourceId, user: ChatWriter, rooms: RoomServiceDep) -> None:
    await rooms.leave(room_id, user)


@router.get(
    "/{room_id}/members", summary="Members of a room", response_model=list[MemberResponse], responses=ERRORS
)
async def list_members(room_id: ResourceId, user: ChatReader, rooms: RoomServiceDep) -> list[MemberResponse]:
    return await rooms.members(room_id, user)


@router.get(
    "/{room_id}/messages",
    summary="Messages of a room",
    response_model=PaginatedResponse[MessageResponse],
    responses=ERRORS,
)
async def list_messages(
    room_id: ResourceId,
    params: Annotated[MessageListParams, Depends(message_params)],
    user: ChatReader,
    messages: MessageServiceDep,
) -> PaginatedResponse[MessageResponse]:
    """Oldest first by default; `sort=id:desc` for the latest."""
    return PaginatedResponse[MessageResponse].from_result(await messages.get_list(room_id, user, params))


@router.post(
    "/{room_id}/messages",
    summary="Post a message",
    status_code=201,
    response_model=MessageResponse,
    responses=error_responses(401, 403, 404, 422, 429),
)
async def post_message(
    room_id: ResourceId,
    body: MessageCreate,
    user: ChatWriter,
    messages: MessageServiceDep,
    _: Annotated[None, Depends(posting_limit)],
) -> MessageResponse:
    """Stored, then broadcast to the room's WebSocket clients."""
    return MessageResponse.model_validate(await messages.post(room_id, user, body.body))


@router.patch(
    "/{room_id}/messages/{message_id}",
    summary="Edit my message",
    response_model=MessageResponse,
    responses=ERRORS,
)
async def edit_message(
    room_id: ResourceId,
    message_id: ResourceId,
    body: MessageUpdate,
    user: ChatWriter,
    messages: MessageServiceDep,
) -> MessageResponse:
    return MessageResponse.model_validate(await messages.edit(room_id, message_id, user, body.body))


@router.delete(
    "/{room_id}/messages/{message_id}", summary="Delete a message", status_code=204, responses=ERRORS
)
async def delete_message(
    room_id: ResourceId, message_id: ResourceId, user: ChatWriter, messages: MessageServiceDep
) -> None:
    """Authors delete their own messages; the room's owner and administrators delete any."""
    await messages.delete(room_id, message_id, user)
