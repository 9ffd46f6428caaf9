"""Attachments: files received from a multipart body, kept within each user's storage quota."""

from collections.abc import AsyncIterator

from app.chat.config import ChatConfig
from app.chat.exceptions import AttachmentQuotaExceeded, NotFound
from app.chat.models import Attachment
from app.chat.repositories.attachment import AttachmentRepository
from app.chat.services.storage import FileStorage
from app.chat.services.uploads import ReceivedFile, receive_file


class AttachmentService:
    def __init__(
        self, *, attachments: AttachmentRepository, storage: FileStorage, config: ChatConfig
    ) -> None:
        self._attachments = attachments
        self._storage = storage
        self._config = config

    async def get(self, room_id: int, attachment_id: int) -> tuple[Attachment, AsyncIterator[bytes]]:
        """A file of the room and its content (membership is the caller's check)."""
        attachment = await self._attachments.get(attachment_id)
        if attachment is None or attachment.room_id != room_id:
            raise NotFound("Attachment not found.")
        return attachment, self._storage.read(attachment.storage_key)

    async def ensure_quota_left(self, uploader_id: int) -> None:
        """Refuse before a body is read when the quota has no byte left. Only a hint: the check
        that holds against concurrent uploads is the one in `add`."""
        used = await self._attachments.bytes_uploaded_by(uploader_id)
        if used >= self._config.ATTACHMENT_QUOTA_BYTES:
            raise self._quota_exceeded(used, None)

    async def receive(self, body: AsyncIterator[bytes], content_type: str) -> ReceivedFile:
        """Stream one file from a multipart body into storage (size and type checked on the way)."""
        config = self._config
        return await receive_file(
            body,
            content_type,
            self._storage,
            max_bytes=config.ATTACHMENT_MAX_BYTES,
            allowed_types=config.ATTACHMENT_TYPES,
        )

    async def add(self, room_id: int, uploader_id: int, received: ReceivedFile) -> Attachment:
        """Record a received file, or delete it if it does not fit in the uploader's quota.

        The uploader's uploads are serialized from the count to the commit (an advisory lock held
        by this transaction), so two uploads racing, in one process or in two, cannot both fit
        into the same remaining bytes."""
        attachments = self._attachments
        await attachments.lock_uploads_of(uploader_id)
        used = await attachments.bytes_uploaded_by(uploader_id)
        if used + received.size > self._config.ATTACHMENT_QUOTA_BYTES:
            await self._storage.delete(received.storage_key)
            raise self._quota_exceeded(used, received.size)
        return await attachments.create(
            {
                "room_id": room_id,
                "uploader_id": uploader_id,
                "filename": received.filename,
                "content_type": received.content_type,
                "size": received.size,
                "storage_key": received.storage_key,
            }
        )

    def _quota_exceeded(self, used: int, size: int | None) -> AttachmentQuotaExceeded:
        quota = self._config.ATTACHMENT_QUOTA_BYTES
        needed = "" if size is None else f"; this file needs {size}"
        return AttachmentQuotaExceeded(
            f"Your attachments already use {used} of the {quota} bytes you may store{needed}.",
            extra={"quota_bytes": quota, "used_bytes": used},
        )
