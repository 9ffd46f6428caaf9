from app.core.events import BaseEvent


class WidgetCreated(BaseEvent):
    __event_name__ = "example.widget_created"

    id: int
    name: str


class WidgetAudited(BaseEvent):
    """Has two listeners, the first of which always fails."""

    __event_name__ = "example.widget_audited"

    id: int


class WidgetShipped(BaseEvent):
    """Has two durable listeners, the second of which fails on its first two attempts."""

    __event_name__ = "example.widget_shipped"

    name: str


class WidgetScrapped(BaseEvent):
    """Has one durable listener, which always fails."""

    __event_name__ = "example.widget_scrapped"

    name: str
