from pathlib import Path

from app.core.mail.rendering import ViewTemplate


class TestEmail(ViewTemplate):
    """Proves the whole mail path (outbox, queue, worker, backend) from the CLI."""

    __test__ = False  # not a pytest test class, despite the name
    template_dir = Path(__file__).resolve().parent / "views"
    template_name = "test_email.html"

    def __init__(self, project_name: str, sent_at: str) -> None:
        self.project_name = project_name
        self.sent_at = sent_at
