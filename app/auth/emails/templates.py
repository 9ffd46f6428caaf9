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


class ApiKeyCreatedEmail(ViewTemplate):
    """Sent to the owner of a new API key: its name, start, scopes and expiry, never the key."""

    template_dir = VIEWS
    template_name = "api_key_created.html"

    def __init__(
        self,
        username: str,
        key_name: str,
        prefix: str,
        scopes: str,
        expires_at: str | None,
        project_name: str,
    ) -> None:
        self.username = username
        self.key_name = key_name
        self.prefix = prefix
        self.scopes = scopes
        self.expires_at = expires_at
        self.project_name = project_name


class TwoFactorEnabled(ViewTemplate):
    template_dir = VIEWS
    template_name = "two_factor_enabled.html"

    def __init__(self, username: str, project_name: str) -> None:
        self.username = username
        self.project_name = project_name


class TwoFactorDisabled(ViewTemplate):
    template_dir = VIEWS
    template_name = "two_factor_disabled.html"

    def __init__(self, username: str, project_name: str) -> None:
        self.username = username
        self.project_name = project_name


class RecoveryCodeUsed(ViewTemplate):
    """Sent whenever a recovery code is spent (sign-in or re-authentication): it stands in for
    the authenticator, so the owner must hear of it if it was not them."""

    template_dir = VIEWS
    template_name = "recovery_code_used.html"

    def __init__(self, username: str, remaining: int, project_name: str) -> None:
        self.username = username
        self.remaining = remaining
        self.project_name = project_name
