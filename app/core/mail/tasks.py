from typing import Any

from app.core.mail.message import RenderedEmail
from app.core.mail.service import SEND_EMAIL_TASK
from app.core.queue.task import BaseTask, queued


@queued
class SendEmail(BaseTask):
    __task_name__ = SEND_EMAIL_TASK

    async def run(self, email: dict[str, Any]) -> dict[str, str]:
        rendered = RenderedEmail.model_validate(email)
        await self.platform.mail.deliver(rendered)
        # The result names the recipient only: never the content (it may carry links with tokens).
        return {"recipient": rendered.email.recipient}
