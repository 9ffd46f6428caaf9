from app.core.mail.service import SendEmailPayload
from app.core.queue.task import BaseTask, queued


@queued
class SendEmail(BaseTask[SendEmailPayload]):
    async def run(self, payload: SendEmailPayload) -> dict[str, str]:
        await self.platform.mail.deliver(payload.email)
        # The result names the recipient only: never the content (it may carry links with tokens).
        return {"recipient": payload.email.email.recipient}
