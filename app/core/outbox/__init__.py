"""The transactional outbox: durable side effects, published after commit, relayed if missed."""

from app.core.outbox.dead_letters import list_dead, purge_dead, requeue_dead
from app.core.outbox.models import OutboxMessage
from app.core.outbox.publisher import Publisher, result_id
from app.core.outbox.writer import Outbox

__all__ = ["Outbox", "OutboxMessage", "Publisher", "list_dead", "purge_dead", "requeue_dead", "result_id"]
