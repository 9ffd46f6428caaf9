from pathlib import Path

from app.core.mail import BaseTemplate

VIEWS = Path(__file__).resolve().parent / "views"


class ExportReady(BaseTemplate):
    def __init__(self, username: str, room_name: str, link: str, rows: int) -> None:
        self.username = username
        self.room_name = room_name
        self.link = link
        self.rows = rows

    def _get_dir(self) -> Path:
        return VIEWS

    def _get_name(self) -> str:
        return "export_ready.html"


class Mentioned(BaseTemplate):
    def __init__(self, username: str, author: str, room_name: str, excerpt: str, link: str) -> None:
        self.username = username
        self.author = author
        self.room_name = room_name
        self.excerpt = excerpt
        self.link = link

    def _get_dir(self) -> Path:
        return VIEWS

    def _get_name(self) -> str:
        return "mentioned.html"
