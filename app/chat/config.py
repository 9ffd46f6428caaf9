"""Settings of the chat module (prefix CHAT_)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from app.core.config import BaseConfig


class ChatConfig(BaseConfig):
    model_config = SettingsConfigDict(env_prefix="CHAT_")

    # Messages a user may post per minute over REST.
    POST_RATE_PER_MINUTE: int = Field(default=60, ge=1)
    # Mention emails one author may cause, and one user may receive, per MENTION_EMAIL_WINDOW
    # seconds (counted in Redis across processes): a mention must not be a way to flood inboxes.
    # 0 turns mention emails off.
    MENTION_EMAILS_PER_SENDER: int = Field(default=30, ge=0)
    MENTION_EMAILS_PER_RECIPIENT: int = Field(default=10, ge=0)
    MENTION_EMAIL_WINDOW: int = Field(default=3600, ge=1)
    # Seconds a WebSocket client has to authenticate with its first message.
    WS_AUTH_TIMEOUT: float = Field(default=5.0, gt=0)
    # Seconds between server pings on an idle WebSocket. A socket's slot in the per-user cap is
    # renewed with each ping and expires after three missed ones (a crashed process's sockets).
    WS_HEARTBEAT_INTERVAL: float = Field(default=20.0, gt=0)
    # Open WebSockets per user, counted across every API process; one more is closed with 4429.
    WS_MAX_PER_USER: int = Field(default=5, ge=1)
    # Redis names of the module's sockets: rooms' channels `<prefix>:<room id>`, the close orders'
    # channel `<prefix>:control`, the per-user socket counts `<prefix>:sockets:<user id>`.
    CHANNEL_PREFIX: str = "chat:room"
    # GET /chat/demo, the browser demo page. Empty: on in development and testing only (a
    # deployment's own front end is the client there).
    DEMO_ENABLED: bool | None = None
    # Where exports (and attachments) are stored, behind the FileStorage interface.
    STORAGE_DIR: str = "var/chat"
    ATTACHMENT_MAX_BYTES: int = Field(default=5 * 1024 * 1024, ge=1)
    # Total bytes of attachments one user may keep (all rooms together), so uploads cannot fill
    # the disk; counted from the database, so it holds across API processes.
    ATTACHMENT_QUOTA_BYTES: int = Field(default=100 * 1024 * 1024, ge=1)
    # Checked against the file's first bytes, not the client's Content-Type.
    ATTACHMENT_TYPES: list[str] = Field(
        default_factory=lambda: ["image/png", "image/jpeg", "image/gif", "application/pdf", "text/plain"]
    )
    # Rows fetched from the database per round trip when streaming an export.
    EXPORT_BATCH: int = Field(default=1000, ge=1)
    # Streamed exports (export.csv) one user may have open at once, counted across API processes:
    # each holds a socket and a batch of rows for as long as its client takes to read.
    EXPORT_STREAMS_PER_USER: int = Field(default=2, ge=1)
    # Seconds a finished export (its file and its job) is kept before the hourly purge deletes it.
    EXPORT_RETENTION: int = Field(default=3 * 24 * 3600, ge=60)
