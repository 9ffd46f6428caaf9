from pathlib import Path

from app.chat.config import ChatConfig


def test_sample_env_documents_and_loads_every_chat_setting() -> None:
    sample = Path(__file__).resolve().parents[2] / ".sample.env"
    lines = sample.read_text().splitlines()
    documented = {line.split("=", 1)[0] for line in lines if "=" in line and not line.startswith("#")}
    assert {f"CHAT_{name}" for name in ChatConfig.model_fields} <= documented
    config = ChatConfig(_env_file=sample)  # type: ignore[call-arg]
    assert "image/png" in config.ATTACHMENT_TYPES
