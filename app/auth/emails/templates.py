"""The auth module's emails; HTML in views/, plain text derived (or a .txt twin)."""

from pathlib import Path

from app.core.mail import BaseTemplate

VIEWS = Path(__file__).resolve().parent / "views"


class _AuthTemplate(BaseTemplate):
    name = ""

    def _get_dir(self) -> Path:
        return VIEWS

    def _get_name(self) -> str:
        return self.name


class VerifyEmail(_AuthTemplate):
    """Sent after registration and when the address changes or a new link is asked for."""

    name = "verify_email.html"

    def __init__(self, username: str, link: str, project_name: str) -> None:
        self.username = username
        self.link = link
        self.project_name = project_name


class PasswordReset(_AuthTemplate):
    name = "password_reset.html"

    def __init__(self, username: str, link: str, minutes: int) -> None:
        self.username = username
        self.link = link
        self.minutes = minutes


class PasswordChanged(_AuthTemplate):
    name = "password_changed.html"

    def __init__(self, username: str, how: str, project_name: str) -> None:
        self.username = username
        self.how = how
        self.project_name = project_name
