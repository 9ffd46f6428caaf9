from app.core.errors import ActionNotAllowed, Conflict, NotFound, PayloadTooLarge, TooManyRequests


class RoomNotFound(NotFound):
    code = "room_not_found"
    default_detail = "Room not found."


class MessageNotFound(NotFound):
    code = "message_not_found"
    default_detail = "Message not found."


class NotAMember(ActionNotAllowed):
    code = "not_a_member"
    default_detail = "Join the room first."


class AlreadyMember(Conflict):
    code = "already_member"
    default_detail = "You are already a member of this room."


class AttachmentQuotaExceeded(PayloadTooLarge):
    code = "attachment_quota_exceeded"
    default_detail = "Your attachments have used up your storage quota."


class ExportNotFound(NotFound):
    code = "export_not_found"
    default_detail = "Export not found."


class ExportPending(Conflict):
    code = "export_pending"
    default_detail = "An export of this room is already pending; poll it or wait until it has finished."


class TooManyExportStreams(TooManyRequests):
    code = "too_many_export_streams"
    default_detail = "Too many exports are streaming for you at once; retry when one has finished."


__all__ = [
    "ActionNotAllowed",
    "AlreadyMember",
    "AttachmentQuotaExceeded",
    "ExportNotFound",
    "ExportPending",
    "MessageNotFound",
    "NotAMember",
    "NotFound",
    "RoomNotFound",
    "TooManyExportStreams",
]
