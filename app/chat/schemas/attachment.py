from datetime import datetime

from pydantic import BaseModel, ConfigDict


class AttachmentResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    room_id: int
    uploader_id: int | None
    filename: str
    content_type: str
    size: int
    created_at: datetime
