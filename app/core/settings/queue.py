from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings


class QueueSettings(BaseSettings):
    # redis: Redis Streams with acknowledgements (a killed worker's task is redelivered).
    # memory: tasks run in the publishing process (tests, single-process tools).
    QUEUE_BROKER: Literal["redis", "memory"] = "redis"
    QUEUE_REDIS_URL: str | None = Field(default=None, description="Defaults to REDIS_URL.")
    QUEUE_NAME: str = "tasks"
    # An unacknowledged task is handed to another worker after this long (milliseconds).
    QUEUE_IDLE_TIMEOUT_MS: int = Field(default=60_000, ge=1000)
    QUEUE_RESULT_TTL: int = Field(default=3600, ge=1)
    QUEUE_MAX_ATTEMPTS: int = Field(default=5, ge=1)
    QUEUE_RETRY_BASE_DELAY: float = Field(default=2.0, gt=0)
    QUEUE_RETRY_MAX_DELAY: float = Field(default=300.0, gt=0)
    # The outbox relay runs this often (seconds) and republishes what is due and unpublished.
    OUTBOX_RELAY_INTERVAL: int = Field(default=5, ge=1)
    # A published task not completed after this long is published again (its consumer is idempotent).
    OUTBOX_REDELIVER_AFTER: int = Field(default=900, ge=60)
    # Completed outbox messages are deleted this long after completion (seconds; 7 days). Dead
    # letters stay until they are requeued or purged (python -m app.cli purge-dead).
    OUTBOX_RETENTION: int = Field(default=7 * 24 * 3600, ge=0)
