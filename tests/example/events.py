from app.core.events import BaseEvent


class WidgetCreated(BaseEvent):
    __event_name__ = "example.widget_created"

    id: int
    name: str


class WidgetAudited(BaseEvent):
    """Has two listeners, the first of which always fails."""

    __event_name__ = "example.widget_audited"

    id: int
