"""The chat module's top-level router (API version 1)."""

from fastapi import APIRouter

from app.chat.routes.v1 import attachments, demo, exports, rooms, socket

router = APIRouter()
router.include_router(rooms.router)
router.include_router(socket.router)
router.include_router(exports.router)
router.include_router(attachments.router)
router.include_router(demo.router)
