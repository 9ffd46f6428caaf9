"""A message as a person reads it in a terminal: the headers that matter, the text as text.

`message.as_string()` is the wire format: quoted-printable or base64 bodies, where a link breaks
at `=3D` escapes and soft line breaks and cannot be copied. Here the text part is decoded and
printed whole, and the other parts (the HTML alternative, attachments) are named with their size
instead of dumped.
"""

import re
from email.message import EmailMessage, Message
from email.utils import format_datetime

from app.core.clock import utcnow
from app.core.mail.rendering import html_to_text

HEADERS = ("From", "To", "Cc", "Reply-To", "Subject", "Date")
RULE = "-" * 72
# Control characters other than newline and tab: printed raw, text from users (a chat message
# quoted in an email) could move the cursor or recolour the developer's terminal.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(text: str) -> str:
    return _CONTROLS.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def _size(part: Message) -> int:
    payload = part.get_payload(decode=True)
    return len(payload) if isinstance(payload, bytes) else 0


def _describe(part: Message) -> str:
    kind, size = part.get_content_type(), _size(part)
    name = part.get_filename()
    if name:
        return f"[attachment: {_visible(name)} ({kind}, {size:,} bytes)]"
    if kind == "text/html":
        return f"[HTML version: {size:,} bytes, not shown]"
    return f"[{kind} part: {size:,} bytes, not shown]"


def _body(message: EmailMessage) -> tuple[Message | None, str]:
    """The part shown as the body, and its text: the plain-text part, else text derived from the
    HTML one."""
    part = message.get_body(preferencelist=("plain", "html"))
    if not isinstance(part, EmailMessage):
        return None, "(no text part)\n"
    text = str(part.get_content())
    if part.get_content_type() == "text/html":
        return part, "(derived from the HTML version)\n" + html_to_text(text)
    return part, text


def readable(message: EmailMessage) -> str:
    """Headers, a blank line, the text part decoded, then one line per other part; framed by rules."""
    lines = [RULE]
    for name in HEADERS:
        value = message[name]
        if value is None and name == "Date":
            value = format_datetime(utcnow())  # added by the first mail server otherwise
        if value is not None:
            lines.append(f"{name}: {_visible(str(value))}")
    shown, text = _body(message)
    lines += ["", _visible(text.rstrip("\n")), ""]
    others = [part for part in message.walk() if not part.is_multipart() and part is not shown]
    lines += [_describe(part) for part in others]
    lines.append(RULE)
    return "\n".join(lines) + "\n"
