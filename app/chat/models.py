"""Tables of the chat module. User ids are plain columns: users belong to the auth module, which
tells this one about deletions through its UserDeleted event."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import BaseModel, SoftDeleteMixin


class Room(SoftDeleteMixin, BaseModel):
    __tablename__ = "chat_room"

    name: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[int] = mapped_column(BigInteger, index=True)


class Member(BaseModel):
    __tablename__ = "chat_member"
    __table_args__ = (UniqueConstraint("room_id", "user_id"),)

    room_id: Mapped[int] = mapped_column(ForeignKey("chat_room.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)


class Message(SoftDeleteMixin, BaseModel):
    __tablename__ = "chat_message"
    __table_args__ = (Index("ix_chat_message_room_id_id", "room_id", "id"),)

    room_id: Mapped[int] = mapped_column(ForeignKey("chat_room.id", ondelete="CASCADE"))
    # None once the author's account is deleted (the message stays, anonymized).
    author_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    body: Mapped[str] = mapped_column(Text)
    edited_at: Mapped[datetime | None] = mapped_column(default=None)


PENDING_EXPORT = ("pending", "running")
FINISHED_EXPORT = ("done", "failed")


class ExportJob(BaseModel):
    """A room's messages written to a CSV file by a worker; polled for progress."""

    __tablename__ = "chat_export_job"
    __table_args__ = (
        # One export at a time per requester and room: a second request while one is pending is
        # refused, and two requests at once cannot both get in.
        Index(
            "uq_chat_export_job_pending",
            "room_id",
            "requested_by",
            unique=True,
            postgresql_where=text("status IN ('pending', 'running')"),
        ),
    )

    room_id: Mapped[int] = mapped_column(ForeignKey("chat_room.id", ondelete="CASCADE"))
    requested_by: Mapped[int] = mapped_column(BigInteger, index=True)
    # pending -> running -> done | failed (a failed job is finished: it never runs again)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    progress: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    file_key: Mapped[str | None] = mapped_column(String(200), default=None)
    # Done or failed at; the job and its file are purged CHAT_EXPORT_RETENTION seconds later.
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class Attachment(BaseModel):
    __tablename__ = "chat_attachment"

    room_id: Mapped[int] = mapped_column(ForeignKey("chat_room.id", ondelete="CASCADE"), index=True)
    # Indexed: every upload sums its uploader's sizes against the attachment quota.
    uploader_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    storage_key: Mapped[str] = mapped_column(String(200))
