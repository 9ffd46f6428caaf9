from app.core.errors import ActionNotAllowed, Conflict, NotFound


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


__all__ = ["ActionNotAllowed", "AlreadyMember", "MessageNotFound", "NotAMember", "NotFound", "RoomNotFound"]
