from app.chat.config import ChatConfig
from tests.settings import SAMPLE_ENV, documented_settings


def test_sample_env_documents_and_loads_every_chat_setting() -> None:
    documented = documented_settings()
    assert {f"CHAT_{name}" for name in ChatConfig.model_fields} <= documented
    config = ChatConfig(_env_file=SAMPLE_ENV)
    assert "image/png" in config.ATTACHMENT_TYPES
