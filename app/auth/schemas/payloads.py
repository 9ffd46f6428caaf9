"""The payloads of the auth module's tasks (app.auth.tasks runs them), each naming its task:
services push them (`await queue.push(SendPasswordResetPayload(email=email))`) without importing
the tasks, which import the services."""

from app.core.queue import TaskPayload


class PurgeExpiredPayload(TaskPayload):
    __task_name__ = "auth.purge_expired"


class PurgeAuditTrailPayload(TaskPayload):
    __task_name__ = "auth.purge_audit_trail"


class SendPasswordResetPayload(TaskPayload):
    __task_name__ = "auth.send_password_reset"
    email: str


class ResendVerificationPayload(TaskPayload):
    __task_name__ = "auth.resend_verification"
    email: str
