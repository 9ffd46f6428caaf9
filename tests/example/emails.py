from pathlib import Path

from app.core.mail import BaseTemplate


class WidgetReady(BaseTemplate):
    def __init__(self, name: str, link: str) -> None:
        self.name = name
        self.link = link

    def _get_dir(self) -> Path:
        return Path(__file__).parent / "views"

    def _get_name(self) -> str:
        return "widget_ready.html"
