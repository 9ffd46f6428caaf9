"""The console backend prints each message as a person reads it: headers, then the text decoded,
with links whole (no quoted-printable escapes or soft line breaks), other parts named."""

import io
import sys
from email.message import EmailMessage

import pytest

from app.core.mail import ConsoleBackend, EmailData, RenderedEmail

# Long enough to be folded by quoted-printable, with `=` that it would escape as `=3D`.
LINK = "http://127.0.0.1:8000/api/v1/auth/pages/reset-password#token=" + "Zx9_-=" * 20 + "end"


def message() -> EmailMessage:
    rendered = RenderedEmail(
        email=EmailData(subject="Réinitialisez votre mot de passe \u2013 Zoë", recipient="zoe@example.com"),
        html=f'<p>Bonjour Zoë, <a href="{LINK}">choisissez un nouveau mot de passe</a>.</p>',
        text=f"Bonjour Zoë,\n\nchoisissez un nouveau mot de passe : {LINK}\n\nÀ bientôt \x1b[2J\n",
    )
    email = rendered.to_message("no-reply@example.com", "Équipe Kit")
    email.add_attachment(b"id,body\n1,salut\n", maintype="text", subtype="csv", filename="room-7.csv")
    return email


async def test_prints_headers_and_the_text_decoded_with_links_whole(
    capsys: pytest.CaptureFixture[str],
) -> None:
    sent = message()
    assert "=3D" in sent.as_string()  # what was printed before: the wire format
    await ConsoleBackend().send(sent)
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    assert "From: Équipe Kit <no-reply@example.com>" in lines
    assert "To: zoe@example.com" in lines
    assert "Subject: Réinitialisez votre mot de passe \u2013 Zoë" in lines
    assert any(line.startswith("Date: ") for line in lines)
    assert f"choisissez un nouveau mot de passe : {LINK}" in lines
    assert "Bonjour Zoë," in lines
    assert "=3D" not in printed
    assert "Content-Transfer-Encoding" not in printed
    # The HTML version and the attachment are named, not dumped.
    assert "<a href" not in printed
    assert "[attachment: room-7.csv (text/csv, 16 bytes)]" in lines
    assert any(line.startswith("[HTML version: ") for line in lines)
    # User text cannot drive the developer's terminal.
    assert "\x1b" not in printed
    assert "À bientôt \\x1b[2J" in lines


async def test_an_html_only_message_is_shown_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    email = EmailMessage()
    email["To"] = "zoe@example.com"
    email["Subject"] = "HTML only"
    email.set_content(f'<p>Open <a href="{LINK}">the link</a></p>', subtype="html")
    await ConsoleBackend().send(email)
    printed = capsys.readouterr().out
    assert f"Open the link ({LINK})" in printed.splitlines()
    assert "<p>" not in printed


async def test_a_stdout_that_cannot_encode_the_text_gets_escapes(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="ascii"))
    await ConsoleBackend().send(message())
    printed = raw.getvalue().decode("ascii")
    assert "Subject: R\\xe9initialisez" in printed
    assert LINK in printed
