from typing import Literal

from pydantic import BaseModel


class ExportJobResponse(BaseModel):
    id: int
    room_id: int
    status: Literal["pending", "running", "done", "failed"]
    progress: int
    download_url: str | None = None
