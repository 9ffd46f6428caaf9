from pathlib import Path

from app.core.mail import ViewTemplate

VIEWS = Path(__file__).resolve().parent / "views"


class ExportReady(ViewTemplate):
    template_dir = VIEWS
    template_name = "export_ready.html"

    def __init__(self, username: str, room_name: str, link: str, rows: int, expires_at: str) -> None:
        self.username = username
        self.room_name = room_name
        self.link = link
        self.rows = rows
        self.expires_at = expires_at


class Mentioned(ViewTemplate):
    template_dir = VIEWS
    template_name = "mentioned.html"

    def __init__(self, username: str, author: str, room_name: str, excerpt: str, link: str) -> None:
        self.username = username
        self.author = author
        self.room_name = room_name
        self.excerpt = excerpt
        # The plain-text part quotes each line, as a reply does, so no line of the author's words
        # can pass for the email's own text.
        self.excerpt_lines = excerpt.splitlines() or [""]
        self.link = link
