"""How the chat services are built from a platform: the one wiring that routes (through
`provide` in app.chat.deps), the WebSocket, tasks and listeners all use::

    service = message_service(platform)
"""

from app.auth import auth_gateway
from app.chat.config import ChatConfig
from app.chat.repositories.attachment import AttachmentRepository
from app.chat.repositories.export import ExportJobRepository
from app.chat.repositories.room import MemberRepository, MessageRepository, RoomRepository
from app.chat.services.attachments import AttachmentService
from app.chat.services.exports import ExportService
from app.chat.services.mention_limits import MentionMailLimits
from app.chat.services.mentions import MentionNotifier
from app.chat.services.messages import MessageService
from app.chat.services.rooms import RoomService
from app.chat.services.storage import LocalFileStorage
from app.core.platform import Platform


def chat_settings(platform: Platform) -> ChatConfig:
    return platform.settings(ChatConfig)


def file_storage(platform: Platform) -> LocalFileStorage:
    return LocalFileStorage(chat_settings(platform).STORAGE_DIR)


def room_service(platform: Platform) -> RoomService:
    return RoomService(
        rooms=RoomRepository(platform.session),
        members=MemberRepository(platform.session),
        gateway=auth_gateway(platform),
        redis=platform.redis,
        channel_prefix=chat_settings(platform).CHANNEL_PREFIX,
        after_commit=platform.after_commit,
    )


def mention_notifier(platform: Platform) -> MentionNotifier:
    config = chat_settings(platform)
    limits = MentionMailLimits(
        platform.redis,
        per_sender=config.MENTION_EMAILS_PER_SENDER,
        per_recipient=config.MENTION_EMAILS_PER_RECIPIENT,
        window_seconds=config.MENTION_EMAIL_WINDOW,
    )
    return MentionNotifier(
        gateway=auth_gateway(platform),
        members=MemberRepository(platform.session),
        mail=platform.mail,
        limits=limits,
        links=platform.config.email_links,
    )


def message_service(platform: Platform) -> MessageService:
    return MessageService(
        messages=MessageRepository(platform.session),
        rooms=room_service(platform),
        mentions=mention_notifier(platform),
        events=platform.events,
        redis=platform.redis,
        channel_prefix=chat_settings(platform).CHANNEL_PREFIX,
        after_commit=platform.after_commit,
    )


def export_service(platform: Platform) -> ExportService:
    return ExportService(
        jobs=ExportJobRepository(platform.session),
        rooms=room_service(platform),
        queue=platform.queue,
        storage=file_storage(platform),
        redis=platform.redis,
        session_factory=platform.unit_of_work.session_factory,
        config=chat_settings(platform),
    )


def attachment_service(platform: Platform) -> AttachmentService:
    return AttachmentService(
        attachments=AttachmentRepository(platform.session),
        storage=file_storage(platform),
        config=chat_settings(platform),
    )
