"""Who may do what in a room. Moderators are the room's owner and administrators."""

from app.auth import Principal
from app.chat.exceptions import ActionNotAllowed
from app.chat.models import Message, Room


def is_moderator(user: Principal, room: Room) -> bool:
    return user.is_admin or room.owner_id == user.id


def ensure_can_delete_room(user: Principal, room: Room) -> None:
    if not is_moderator(user, room):
        raise ActionNotAllowed("Only the room's owner or an administrator can delete it.")


def ensure_can_edit_message(user: Principal, message: Message) -> None:
    if message.author_id != user.id:
        raise ActionNotAllowed("You can only edit your own messages.")


def ensure_can_delete_message(user: Principal, room: Room, message: Message) -> None:
    if message.author_id != user.id and not is_moderator(user, room):
        raise ActionNotAllowed("You can only delete your own messages.")
