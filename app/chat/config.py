"""Settings of the chat module (prefix CHAT_)."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from app.core.config import BaseConfig


class ChatConfig(BaseConfig):
    model_config = SettingsConfigDict(env_prefix="CHAT_")

    # Messages a user may post per minute over REST.
    POST_RATE_PER_MINUTE: int = Field(default=60, ge=1)
    # Seconds a WebSocket client has to authenticate with its first message.
    WS_AUTH_TIMEOUT: float = Field(default=5.0, gt=0)
    # Seconds between server pings on an idle WebSocket.
    WS_HEARTBEAT_INTERVAL: float = Field(default=20.0, gt=0)
    CHANNEL_PREFIX: str = "chat:room"
    # Where exports (and attachments) are stored, behind the FileStorage interface.
    STORAGE_DIR: str = "var/chat"
    ATTACHMENT_MAX_BYTES: int = Field(default=5 * 1024 * 1024, ge=1)
    # Checked against the file's first bytes, not the client's Content-Type.
    ATTACHMENT_TYPES: list[str] = Field(
        default_factory=lambda: ["image/png", "image/jpeg", "image/gif", "application/pdf", "text/plain"]
    )
    # Rows fetched from the database per round trip when streaming an export.
    EXPORT_BATCH: int = Field(default=1000, ge=1)


@lru_cache
def get_chat_config() -> ChatConfig:
    return ChatConfig()
