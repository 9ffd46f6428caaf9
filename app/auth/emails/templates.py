"""The auth module's emails; HTML in views/, plain text derived (or a .txt twin)."""

from pathlib import Path

from app.core.mail import ViewTemplate

VIEWS = Path(__file__).resolve().parent / "views"


class VerifyEmail(ViewTemplate):
    """Sent after registration and when the address changes or a new link is asked for."""

    template_dir = VIEWS
    template_name = "verify_email.html"

    def __init__(self, username: str, link: str, project_name: str) -> None:
        self.username = username
        self.link = link
        self.project_name = project_name


class PasswordReset(ViewTemplate):
    template_dir = VIEWS
    template_name = "password_reset.html"

    def __init__(self, username: str, link: str, minutes: int) -> None:
        self.username = username
        self.link = link
        self.minutes = minutes


class PasswordChanged(ViewTemplate):
    template_dir = VIEWS
    template_name = "password_changed.html"

    def __init__(self, username: str, how: str, project_name: str) -> None:
        self.username = username
        self.how = how
        self.project_name = project_name


class EmailChanged(ViewTemplate):
    """Sent to the address an account had before it was changed (the new one gets VerifyEmail)."""

    template_dir = VIEWS
    template_name = "email_changed.html"

    def __init__(self, username: str, project_name: str) -> None:
        self.username = username
        self.project_name = project_name
