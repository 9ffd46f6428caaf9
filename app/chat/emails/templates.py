from pathlib import Path

from app.core.mail import ViewTemplate

VIEWS = Path(__file__).resolve().parent / "views"


class ExportReady(ViewTemplate):
    template_dir = VIEWS
    template_name = "export_ready.html"

    def __init__(self, username: str, room_name: str, link: str, rows: int) -> None:
        self.username = username
        self.room_name = room_name
        self.link = link
        self.rows = rows


class Mentioned(ViewTemplate):
    template_dir = VIEWS
    template_name = "mentioned.html"

    def __init__(self, username: str, author: str, room_name: str, excerpt: str, link: str) -> None:
        self.username = username
        self.author = author
        self.room_name = room_name
        self.excerpt = excerpt
        self.link = link
