from pathlib import Path

from app.core.mail import ViewTemplate


class WidgetReady(ViewTemplate):
    template_dir = Path(__file__).resolve().parent / "views"
    template_name = "widget_ready.html"

    def __init__(self, name: str, link: str) -> None:
        self.name = name
        self.link = link
