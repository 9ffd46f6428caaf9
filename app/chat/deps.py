"""Providers of the chat services, built on the platform's and auth's public dependencies."""

from typing import Annotated

from fastapi import Depends

from app.auth import AuthGateway
from app.chat.config import ChatConfig, get_chat_config
from app.chat.gateway import ChatGateway, ChatGatewayInterface
from app.chat.services.attachments import AttachmentService
from app.chat.services.context import ChatContext
from app.chat.services.exports import ExportService
from app.chat.services.messages import MessageService
from app.chat.services.rooms import RoomService
from app.core.deps import Config, EventsService, MailService, QueueService, RedisClient, UoW
from app.core.limiter import ConfigurableRateLimiter

# Messages posted over REST and over the WebSocket count against one budget per user.
posting_limit = ConfigurableRateLimiter(
    get_chat_config().POST_RATE_PER_MINUTE, 60, key="user", name="chat.post"
)


async def provide_chat_config() -> ChatConfig:
    return get_chat_config()


async def get_chat_context(
    unit_of_work: UoW,
    config: Annotated[ChatConfig, Depends(provide_chat_config)],
    gateway: AuthGateway,
    events: EventsService,
    mail: MailService,
    redis: RedisClient,
    app_config: Config,
) -> ChatContext:
    return ChatContext(
        unit_of_work=unit_of_work,
        config=config,
        gateway=gateway,
        events=events,
        mail=mail,
        redis=redis,
        frontend_url=app_config.FRONTEND_URL,
    )


Context = Annotated[ChatContext, Depends(get_chat_context)]


async def get_room_service(context: Context) -> RoomService:
    return RoomService(context)


async def get_message_service(context: Context) -> MessageService:
    return MessageService(context)


async def get_gateway(context: Context) -> ChatGatewayInterface:
    return ChatGateway(context.members)


async def get_export_service(context: Context, queue: QueueService) -> ExportService:
    return ExportService(context, queue)


async def get_attachment_service(context: Context) -> AttachmentService:
    return AttachmentService(context)


RoomServiceDep = Annotated[RoomService, Depends(get_room_service)]
MessageServiceDep = Annotated[MessageService, Depends(get_message_service)]
ExportServiceDep = Annotated[ExportService, Depends(get_export_service)]
AttachmentServiceDep = Annotated[AttachmentService, Depends(get_attachment_service)]
ChatGatewayDep = Annotated[ChatGatewayInterface, Depends(get_gateway)]
