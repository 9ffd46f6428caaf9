"""The payloads of the chat module's tasks (app.chat.tasks runs them), each naming its task:
services push them (`await queue.push(BuildExportPayload(job_id=job.id))`) without importing
the tasks, which import the services."""

from app.core.queue import TaskPayload


class BuildExportPayload(TaskPayload):
    __task_name__ = "chat.build_export"
    job_id: int


class PurgeExportsPayload(TaskPayload):
    __task_name__ = "chat.purge_exports"
