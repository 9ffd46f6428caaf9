"""@mentions in messages: the room's members among the mentioned users are told by email.

Only members are told (a mention cannot reach someone outside the room), only at verified
addresses (a mention cannot mail an address nobody proved to own), and within limits per sender
and per recipient. The subject is fixed apart from the author's username (whose pattern keeps it
short and plain); the room's name and the author's words appear only in the body, quoted as theirs.
"""

import re

from app.auth import AuthGatewayInterface, UserDTO
from app.chat.emails.templates import Mentioned
from app.chat.models import Message, Room
from app.chat.repositories.room import MemberRepository
from app.chat.services.mention_limits import MentionMail, MentionMailLimits
from app.core.db import FilterOperator, FilterParam, ListParams
from app.core.log import logger
from app.core.mail import EmailData, MailServiceInterface
from app.core.settings.links import EmailLinks

MENTION = re.compile(r"(?<![\w@])@([a-z0-9][a-z0-9_.-]{2,49})", re.IGNORECASE)
MAX_MENTIONS = 20
EXCERPT = 300
ROOM_NAME_SHOWN = 60


def mentioned_usernames(body: str) -> list[str]:
    names = dict.fromkeys(match.group(1).lower().rstrip(".") for match in MENTION.finditer(body))
    return list(names)[:MAX_MENTIONS]


def excerpt_of(body: str) -> str:
    return body if len(body) <= EXCERPT else body[:EXCERPT] + "..."


def shown_room_name(name: str) -> str:
    """The name on one line, printable characters only, cut to a length that cannot crowd out
    the rest of the email."""
    plain = " ".join("".join(char if char.isprintable() else " " for char in name).split())
    return plain if len(plain) <= ROOM_NAME_SHOWN else plain[: ROOM_NAME_SHOWN - 1] + "…"


class MentionNotifier:
    def __init__(
        self,
        gateway: AuthGatewayInterface,
        members: MemberRepository,
        mail: MailServiceInterface,
        limits: MentionMailLimits,
        links: EmailLinks,
    ) -> None:
        self._gateway = gateway
        self._members = members
        self._mail = mail
        self._limits = limits
        self._links = links

    async def notify(self, message: Message, room: Room, author_id: int) -> int:
        """Queue the emails for the mentions in `message`; returns how many were queued."""
        usernames = mentioned_usernames(message.body)
        author = await self._gateway.get_user(author_id) if usernames else None
        if author is None:
            return 0
        sent = 0
        for user in await self._recipients(room.id, author, usernames):
            allowed = await self._limits.take(author.id, user.id)
            if allowed is MentionMail.SENDER_LIMITED:
                logger.warning("mention emails limited for sender", sender_id=author.id, room_id=room.id)
                break
            if allowed is MentionMail.RECIPIENT_LIMITED:
                continue
            await self._mail.queue(self._template(message, room, author, user), self._email(author, user))
            sent += 1
        return sent

    async def _recipients(self, room_id: int, author: UserDTO, usernames: list[str]) -> list[UserDTO]:
        params = ListParams(
            per_page=MAX_MENTIONS,
            filters=[FilterParam(field="username", operator=FilterOperator.IN, value=usernames)],
        )
        users = [
            user
            for user in (await self._gateway.get_user_list(params)).items
            if user.id != author.id and user.is_active and user.email_verified
        ]
        members = await self._members.members_among(room_id, [user.id for user in users])
        return [user for user in users if user.id in members]

    def _template(self, message: Message, room: Room, author: UserDTO, user: UserDTO) -> Mentioned:
        return Mentioned(
            username=user.username,
            author=author.username,
            room_name=shown_room_name(room.name),
            excerpt=excerpt_of(message.body),
            # Without a front end: the room's messages as the API serves them.
            link=self._links.link(frontend=f"/chat/rooms/{room.id}", api=f"/chat/rooms/{room.id}/messages"),
        )

    @staticmethod
    def _email(author: UserDTO, user: UserDTO) -> EmailData:
        return EmailData(subject=f"@{author.username} mentioned you in a chat room", recipient=user.email)
