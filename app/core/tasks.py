"""The platform's own tasks; composition roots import this module with the modules' tasks."""

from app.core.events.tasks import DeliverEvent
from app.core.mail.tasks import SendEmail
from app.core.outbox.relay import RelayOutbox
from app.core.outbox.retention import PurgeCompletedOutbox

__all__ = ["DeliverEvent", "PurgeCompletedOutbox", "RelayOutbox", "SendEmail"]
