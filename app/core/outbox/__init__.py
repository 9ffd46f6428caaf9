"""The transactional outbox: durable side effects, published after commit, relayed if missed."""

from app.core.outbox.models import OutboxMessage
from app.core.outbox.publisher import Publisher, result_id
from app.core.outbox.writer import Outbox

__all__ = ["Outbox", "OutboxMessage", "Publisher", "result_id"]
