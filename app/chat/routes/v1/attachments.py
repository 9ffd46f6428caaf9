"""Files shared in a room: uploaded as multipart, streamed to storage, downloaded by members."""

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from app.chat.deps import AttachmentServiceDep, ChatReader, ChatWriter, RoomServiceDep
from app.chat.schemas.attachment import AttachmentResponse
from app.core.api import ResourceId, error_responses
from app.core.deps import PlatformDep

router = APIRouter(prefix="/chat/rooms/{room_id}/attachments", tags=["chat"])
MULTIPART = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.post(
    "",
    summary="Upload a file to a room",
    status_code=201,
    response_model=AttachmentResponse,
    openapi_extra=MULTIPART,
    responses=error_responses(400, 401, 403, 404, 413, 415, 422),
)
async def upload(
    room_id: ResourceId,
    request: Request,
    user: ChatWriter,
    rooms: RoomServiceDep,
    attachments: AttachmentServiceDep,
    platform: PlatformDep,
) -> AttachmentResponse:
    """Field `file`. Types allowed by CHAT_ATTACHMENT_TYPES, recognized from the content; larger than
    CHAT_ATTACHMENT_MAX_BYTES is refused with 413 as soon as the limit is crossed, and so is a file
    that would take the uploader's attachments over CHAT_ATTACHMENT_QUOTA_BYTES (code
    `attachment_quota_exceeded`). A body that is not well-formed multipart, or ends before its
    closing boundary, is refused with 400; nothing of a refused upload is stored."""
    await rooms.ensure_member(room_id, user)
    await attachments.ensure_quota_left(user.id)
    # A slow upload must not hold a pooled database connection while the body streams in (the
    # row is written in a new transaction afterwards).
    await platform.unit_of_work.end_read_transaction()
    received = await attachments.receive(request.stream(), request.headers.get("content-type", ""))
    attachment = await attachments.add(room_id, user.id, received)
    return AttachmentResponse.model_validate(attachment)


@router.get(
    "/{attachment_id}",
    summary="Download a file of a room",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"*/*": {}},
            "description": "The file, with the content type it was recognized as (CHAT_ATTACHMENT_TYPES).",
        },
        **error_responses(401, 403, 404, 422),
    },
)
async def download(
    room_id: ResourceId,
    attachment_id: ResourceId,
    user: ChatReader,
    rooms: RoomServiceDep,
    attachments: AttachmentServiceDep,
) -> StreamingResponse:
    await rooms.ensure_member(room_id, user)
    attachment, content = await attachments.get(room_id, attachment_id)
    headers = {
        "Content-Disposition": f'attachment; filename="{attachment.filename}"',
        "X-Content-Type-Options": "nosniff",
    }
    return StreamingResponse(content, media_type=attachment.content_type, headers=headers)
