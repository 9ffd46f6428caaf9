"""Exports of a room's messages: streamed now, or built in the background (202 + status)."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth import ActiveUser
from app.chat.config import get_chat_config
from app.chat.deps import ExportServiceDep, RoomServiceDep
from app.chat.exceptions import NotFound
from app.chat.schemas.export import ExportJobResponse
from app.chat.services.export import csv_chunks
from app.chat.services.storage import LocalFileStorage
from app.core.api import ResourceId, error_responses
from app.core.config import get_app_config
from app.core.deps import get_session_factory

router = APIRouter(prefix="/chat", tags=["chat"])
ERRORS = error_responses(401, 403, 404, 422)
CSV = {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The messages as CSV."}


def _csv_download(chunks: AsyncIterator[str] | AsyncIterator[bytes], room_id: int) -> StreamingResponse:
    headers = {"Content-Disposition": f'attachment; filename="room-{room_id}.csv"'}
    return StreamingResponse(chunks, media_type="text/csv", headers=headers)


@router.get(
    "/rooms/{room_id}/export.csv",
    summary="Download a room's messages as CSV",
    response_class=StreamingResponse,
    responses={200: CSV, **ERRORS},
)
async def export_csv(
    room_id: ResourceId,
    user: ActiveUser,
    rooms: RoomServiceDep,
    factory: Annotated[async_sessionmaker[AsyncSession], Depends(get_session_factory)],
) -> StreamingResponse:
    """Streamed from the database in batches: memory stays flat whatever the room's size."""
    await rooms.ensure_member(room_id, user)
    batch = get_chat_config().EXPORT_BATCH

    async def body() -> AsyncIterator[str]:
        # Its own session: the request's unit of work has ended when the body is streamed.
        async with factory() as session:
            async for chunk in csv_chunks(session, room_id, batch):
                yield chunk.text

    return _csv_download(body(), room_id)


def _response(job: object) -> ExportJobResponse:
    response = ExportJobResponse.model_validate(job, from_attributes=True)
    if response.status == "done":
        response.download_url = f"{get_app_config().API_PREFIX}/chat/exports/{response.id}/download"
    return response


@router.post(
    "/rooms/{room_id}/exports",
    summary="Build a room's export in the background",
    status_code=202,
    response_model=ExportJobResponse,
    responses=ERRORS,
)
async def request_export(
    room_id: ResourceId, user: ActiveUser, exports: ExportServiceDep
) -> ExportJobResponse:
    """A worker writes the file and emails a link; poll `GET /chat/exports/{id}` for progress."""
    return _response(await exports.request(room_id, user))


@router.get(
    "/exports/{job_id}", summary="Status of an export", response_model=ExportJobResponse, responses=ERRORS
)
async def export_status(job_id: ResourceId, user: ActiveUser, exports: ExportServiceDep) -> ExportJobResponse:
    return _response(await exports.get(job_id, user))


@router.get(
    "/exports/{job_id}/download",
    summary="Download a finished export",
    response_class=StreamingResponse,
    responses={200: CSV, **ERRORS},
)
async def download_export(
    job_id: ResourceId, user: ActiveUser, exports: ExportServiceDep
) -> StreamingResponse:
    job = await exports.get(job_id, user)
    if job.status != "done" or job.file_key is None:
        raise NotFound("The export is not ready.")
    return _csv_download(LocalFileStorage(get_chat_config().STORAGE_DIR).read(job.file_key), job.room_id)
