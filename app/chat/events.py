from app.core.events import BaseEvent


class MessagePosted(BaseEvent):
    __event_name__ = "chat.message_posted"

    id: int
    room_id: int
    author_id: int
