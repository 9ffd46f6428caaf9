from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class ExportJobResponse(BaseModel):
    id: int
    room_id: int
    status: Literal["pending", "running", "done", "failed"]
    progress: int
    download_url: str | None = None
    # When a finished export (file and status) is deleted; None until it finishes.
    expires_at: datetime | None = None
