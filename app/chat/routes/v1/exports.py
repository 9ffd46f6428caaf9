"""Exports of a room's messages: streamed now, or built in the background (202 + status)."""

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from app.chat.deps import ChatReader, ExportServiceDep
from app.chat.models import ExportJob
from app.chat.schemas.export import ExportJobResponse
from app.chat.services.exports import CsvStream, ExportService
from app.core.api import ResourceId, error_responses

router = APIRouter(prefix="/chat", tags=["chat"])
ERRORS = error_responses(401, 403, 404, 422)
CSV = {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The messages as CSV."}


class CsvStreamResponse(StreamingResponse):
    """Closes its stream however the response ends. Starlette leaves the body iterator where it
    stopped when the client goes away; closed here, the stream frees its place under the per-user
    cap at once rather than whenever the garbage collector gets to it."""

    def __init__(self, stream: CsvStream, room_id: int) -> None:
        super().__init__(stream, media_type="text/csv", headers=_attachment(room_id))
        self._stream = stream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._stream.aclose()


def _attachment(room_id: int) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="room-{room_id}.csv"'}


@router.get(
    "/rooms/{room_id}/export.csv",
    summary="Download a room's messages as CSV",
    response_class=StreamingResponse,
    responses={200: CSV, **ERRORS, **error_responses(429, 503)},
)
async def export_csv(room_id: ResourceId, user: ChatReader, exports: ExportServiceDep) -> StreamingResponse:
    """Streamed from the database in batches: memory stays flat whatever the room's size, and a
    client that reads slowly holds no database connection. At most CHAT_EXPORT_STREAMS_PER_USER
    streams per user at once (429 with Retry-After beyond). Cells that a spreadsheet would run as
    a formula start with a single quote."""
    return CsvStreamResponse(await exports.stream(room_id, user), room_id)


def _response(job: ExportJob, exports: ExportService, request: Request) -> ExportJobResponse:
    response = ExportJobResponse.model_validate(job, from_attributes=True)
    response.expires_at = exports.expires_at(job)
    if response.status == "done":
        # The app's own path of the route, under whatever prefix it was mounted.
        response.download_url = request.app.url_path_for("download_export", job_id=str(job.id))
    return response


@router.post(
    "/rooms/{room_id}/exports",
    summary="Build a room's export in the background",
    status_code=202,
    response_model=ExportJobResponse,
    responses={**ERRORS, **error_responses(409)},
)
async def request_export(
    room_id: ResourceId, user: ChatReader, exports: ExportServiceDep, request: Request
) -> ExportJobResponse:
    """A worker writes the file and emails a link; poll `GET /chat/exports/{id}` for progress.
    One export per room and user at a time: while one is pending or running, another request is
    409 `export_pending` with that job's id in `job_id`. A finished export is deleted
    CHAT_EXPORT_RETENTION seconds after it finished (`expires_at`)."""
    return _response(await exports.request(room_id, user), exports, request)


@router.get(
    "/exports/{job_id}", summary="Status of an export", response_model=ExportJobResponse, responses=ERRORS
)
async def export_status(
    job_id: ResourceId, user: ChatReader, exports: ExportServiceDep, request: Request
) -> ExportJobResponse:
    """Only while the requester is still a member of a room that still exists."""
    return _response(await exports.get(job_id, user), exports, request)


@router.get(
    "/exports/{job_id}/download",
    summary="Download a finished export",
    response_class=StreamingResponse,
    responses={200: CSV, **ERRORS},
)
async def download_export(
    job_id: ResourceId, user: ChatReader, exports: ExportServiceDep
) -> StreamingResponse:
    """Only while the requester is still a member of a room that still exists, until it expires."""
    job, chunks = await exports.download(job_id, user)
    return StreamingResponse(chunks, media_type="text/csv", headers=_attachment(job.room_id))
