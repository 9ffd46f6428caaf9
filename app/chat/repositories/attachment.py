from sqlalchemy import func, select

from app.chat.models import Attachment
from app.core.db import BaseRepository

# Names the advisory lock that serializes one user's uploads (hashed with the user id into a key).
_QUOTA_LOCK = "chat.attachment_quota"


class AttachmentRepository(BaseRepository[Attachment]):
    model = Attachment

    async def bytes_uploaded_by(self, user_id: int) -> int:
        total = await self.session.scalar(
            select(func.coalesce(func.sum(Attachment.size), 0)).where(Attachment.uploader_id == user_id)
        )
        return int(total or 0)

    async def lock_uploads_of(self, user_id: int) -> None:
        """Until this transaction ends, the user's other uploads wait here (in any process): the
        quota is counted and the new row written as one step."""
        key = func.hashtextextended(f"{_QUOTA_LOCK}:{user_id}", 0)
        await self.session.execute(select(func.pg_advisory_xact_lock(key)))
