"""The chat gateway: what other modules may ask of chat synchronously."""

from abc import ABC, abstractmethod

from app.chat.repositories.room import MemberRepository
from app.core.platform import Platform


class ChatGatewayInterface(ABC):
    @abstractmethod
    async def is_member(self, room_id: int, user_id: int) -> bool: ...


class DefaultChatGateway(ChatGatewayInterface):
    def __init__(self, members: MemberRepository) -> None:
        self._members = members

    async def is_member(self, room_id: int, user_id: int) -> bool:
        return await self._members.find(room_id, user_id) is not None


def chat_gateway(platform: Platform) -> ChatGatewayInterface:
    """The gateway, built like every chat service: `chat_gateway(platform)` anywhere, the
    `ChatGateway` dependency in routes."""
    return DefaultChatGateway(MemberRepository(platform.session))
