"""The chat services as route dependencies: each wraps the function of app.chat.services.factory
that the WebSocket, tasks and listeners call."""

from typing import Annotated

from fastapi import Depends

from app.auth import Principal, Scoped, declare_scope
from app.chat.config import ChatConfig
from app.chat.gateway import ChatGatewayInterface, chat_gateway
from app.chat.services.attachments import AttachmentService
from app.chat.services.exports import ExportService
from app.chat.services.factory import (
    attachment_service,
    export_service,
    message_service,
    room_service,
)
from app.chat.services.messages import MessageService
from app.chat.services.rooms import RoomService
from app.core.deps import ResourcesDep, provide
from app.core.limiter import SettingsRateLimiter

# What API keys may be given for the chat; sessions hold both. Over the WebSocket, CHAT_READ lets
# a socket connect and receive, CHAT_WRITE post.
CHAT_READ = declare_scope(
    "chat:read",
    "Read rooms, members, messages and files; export messages; receive messages over the WebSocket.",
)
CHAT_WRITE = declare_scope(
    "chat:write", "Create, join, leave and delete rooms; post, edit and delete messages; upload files."
)
ChatReader = Annotated[Principal, Scoped(CHAT_READ)]
ChatWriter = Annotated[Principal, Scoped(CHAT_WRITE)]

# Messages posted over REST and over the WebSocket count against one budget per user (per key,
# for requests made with an API key).
posting_limit = SettingsRateLimiter(
    lambda settings: settings.get(ChatConfig).POST_RATE_PER_MINUTE, 60, key="user", name="chat.post"
)


async def get_chat_settings(resources: ResourcesDep) -> ChatConfig:
    return resources.settings(ChatConfig)


ChatSettingsDep = Annotated[ChatConfig, Depends(get_chat_settings)]
RoomServiceDep = Annotated[RoomService, Depends(provide(room_service))]
MessageServiceDep = Annotated[MessageService, Depends(provide(message_service))]
ExportServiceDep = Annotated[ExportService, Depends(provide(export_service))]
AttachmentServiceDep = Annotated[AttachmentService, Depends(provide(attachment_service))]
ChatGatewayDep = Annotated[ChatGatewayInterface, Depends(provide(chat_gateway))]
