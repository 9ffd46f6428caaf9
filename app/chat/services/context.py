from dataclasses import dataclass

from redis.asyncio import Redis

from app.auth import AuthGatewayInterface
from app.chat.config import ChatConfig
from app.chat.repositories.attachment import AttachmentRepository
from app.chat.repositories.room import MemberRepository, MessageRepository, RoomRepository
from app.core.db import UnitOfWork
from app.core.events import EventsServiceInterface
from app.core.mail import MailServiceInterface


@dataclass(frozen=True, slots=True)
class ChatContext:
    unit_of_work: UnitOfWork
    config: ChatConfig
    gateway: AuthGatewayInterface
    events: EventsServiceInterface
    mail: MailServiceInterface
    redis: Redis
    # Links in emails point here.
    frontend_url: str

    @property
    def rooms(self) -> RoomRepository:
        return RoomRepository(self.unit_of_work.session)

    @property
    def members(self) -> MemberRepository:
        return MemberRepository(self.unit_of_work.session)

    @property
    def messages(self) -> MessageRepository:
        return MessageRepository(self.unit_of_work.session)

    @property
    def attachments(self) -> AttachmentRepository:
        return AttachmentRepository(self.unit_of_work.session)
