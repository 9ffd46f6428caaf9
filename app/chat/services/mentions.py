"""@mentions in messages: resolved to users through AuthGateway, each told by email."""

import re

from app.auth import AuthGatewayInterface, UserDTO
from app.chat.emails.templates import Mentioned
from app.chat.models import Message, Room
from app.core.db import FilterOperator, FilterParam, ListParams
from app.core.mail import EmailData, MailServiceInterface

MENTION = re.compile(r"(?<![\w@])@([a-z0-9][a-z0-9_.-]{2,49})", re.IGNORECASE)
MAX_MENTIONS = 20
EXCERPT = 300


def mentioned_usernames(body: str) -> list[str]:
    names = dict.fromkeys(match.group(1).lower().rstrip(".") for match in MENTION.finditer(body))
    return list(names)[:MAX_MENTIONS]


async def resolve(gateway: AuthGatewayInterface, usernames: list[str]) -> list[UserDTO]:
    if not usernames:
        return []
    params = ListParams(
        per_page=MAX_MENTIONS,
        filters=[FilterParam(field="username", operator=FilterOperator.IN, value=usernames)],
    )
    return [user for user in (await gateway.get_user_list(params)).items if user.is_active]


async def notify(
    message: Message,
    room: Room,
    author: UserDTO,
    users: list[UserDTO],
    mail: MailServiceInterface,
    frontend_url: str,
) -> int:
    excerpt = message.body if len(message.body) <= EXCERPT else message.body[:EXCERPT] + "..."
    link = f"{frontend_url.rstrip('/')}/chat/rooms/{room.id}"
    sent = 0
    for user in users:
        if user.id == author.id:
            continue
        template = Mentioned(
            username=user.username, author=author.username, room_name=room.name, excerpt=excerpt, link=link
        )
        await mail.queue(
            template,
            EmailData(subject=f"{author.username} mentioned you in {room.name}", recipient=user.email),
        )
        sent += 1
    return sent
