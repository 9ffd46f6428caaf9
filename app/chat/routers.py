"""The chat module's top-level router (API version 1)."""

from fastapi import APIRouter

from app.chat.config import ChatConfig
from app.chat.routes.v1 import attachments, demo, exports, rooms, socket
from app.core.config import ModuleSettings

router = APIRouter()
router.include_router(rooms.router)
router.include_router(socket.router)
router.include_router(exports.router)
router.include_router(attachments.router)
router.include_router(demo.router)


def body_size_limits(settings: ModuleSettings) -> dict[str, int]:
    """Uploads stream and check their own size (CHAT_ATTACHMENT_MAX_BYTES): the platform's body
    limit would refuse them first. Paths under the API prefix."""
    return {r"/chat/rooms/\d+/attachments": settings.get(ChatConfig).ATTACHMENT_MAX_BYTES + 64 * 1024}
