"""The chat module's public surface."""

from app.chat.deps import ChatGatewayDep as ChatGateway
from app.chat.events import MessagePosted
from app.chat.gateway import ChatGatewayInterface

__all__ = ["ChatGateway", "ChatGatewayInterface", "MessagePosted"]
