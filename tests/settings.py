"""What .sample.env documents, for the tests that keep it complete."""

from pathlib import Path

SAMPLE_ENV = Path(__file__).resolve().parent.parent / ".sample.env"


def documented_settings() -> set[str]:
    lines = SAMPLE_ENV.read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if "=" in line and not line.startswith("#")}
