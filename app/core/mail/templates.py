from pathlib import Path

from app.core.mail.template import BaseTemplate


class TestEmail(BaseTemplate):
    """Proves the whole mail path (outbox, queue, worker, backend) from the CLI."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, project_name: str, sent_at: str) -> None:
        self.project_name = project_name
        self.sent_at = sent_at

    def _get_dir(self) -> Path:
        return Path(__file__).parent / "views"

    def _get_name(self) -> str:
        return "test_email.html"
