"""The chat module's public surface."""

from app.chat.events import MessagePosted
from app.chat.gateway import ChatGatewayInterface
from app.chat.routers import router

__all__ = ["ChatGatewayInterface", "MessagePosted", "router"]
