"""Email data and the rendered message, validated so no header can be injected."""

from email.headerregistry import Address
from email.message import EmailMessage

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

MAX_SUBJECT_LENGTH = 200


def _single_line(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("must be a single line")
    return value


class EmailData(BaseModel):
    """Who receives an email and its subject. EmailStr rejects CR/LF, so no header injection."""

    model_config = ConfigDict(frozen=True)

    subject: str = Field(min_length=1, max_length=MAX_SUBJECT_LENGTH)
    recipient: EmailStr
    cc: list[EmailStr] = Field(default_factory=list)
    reply_to: EmailStr | None = None

    _single_line_subject = field_validator("subject")(_single_line)


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
