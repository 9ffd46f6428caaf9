"""Email data and the rendered message, validated so no header can be injected."""

import re
from email.headerregistry import Address
from email.message import EmailMessage

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

MAX_SUBJECT_LENGTH = 200
# C0 and C1 controls (CR and LF among them), DEL, and Unicode's line and paragraph separators.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _single_line(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("must be a single line")
    return value


def subject_line(text: str) -> str:
    """`text` as one header line: each run of control characters and whitespace becomes one space,
    and a text too long is cut (with an ellipsis). Subjects carry what users typed (a room's name,
    a username), and an email about it must still go out rather than fail on it."""
    line = " ".join(_CONTROLS.sub(" ", text).split())
    return line if len(line) <= MAX_SUBJECT_LENGTH else line[: MAX_SUBJECT_LENGTH - 1] + "\u2026"


class EmailData(BaseModel):
    """Who receives an email and its subject. EmailStr rejects CR/LF and the subject is flattened
    to one line, so nothing can add a header."""

    model_config = ConfigDict(frozen=True)

    subject: str = Field(min_length=1, max_length=MAX_SUBJECT_LENGTH)
    recipient: EmailStr
    cc: list[EmailStr] = Field(default_factory=list)
    reply_to: EmailStr | None = None

    @field_validator("subject", mode="before")
    @classmethod
    def _one_line(cls, value: object) -> object:
        return subject_line(value) if isinstance(value, str) else value


class RenderedEmail(BaseModel):
    """A message ready to send: what travels through the queue (JSON)."""

    email: EmailData
    html: str
    text: str

    def to_message(self, from_address: str, from_name: str) -> EmailMessage:
        """multipart/alternative: plain text first, HTML preferred by clients that render it."""
        message = EmailMessage()
        message["Subject"] = self.email.subject
        message["From"] = Address(display_name=_single_line(from_name), addr_spec=from_address)
        message["To"] = self.email.recipient
        if self.email.cc:
            message["Cc"] = ", ".join(self.email.cc)
        if self.email.reply_to:
            message["Reply-To"] = self.email.reply_to
        message.set_content(self.text)
        message.add_alternative(self.html, subtype="html")
        return message
