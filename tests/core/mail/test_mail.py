"""Mail through a real SMTP server (aiosmtpd started by the test), in every security mode."""

from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from app.core.config import AppConfig
from app.core.mail import EmailData, MemoryBackend, SmtpBackend
from app.core.mail.service import render
from app.core.resources import Resources
from tests.core.health.test_health import closed_port
from tests.example.emails import WidgetReady
from tests.smtp import PASSWORD, USERNAME, smtp_server

TEMPLATE = WidgetReady(name="<b>Gizmo</b>", link="https://app.example/widgets/1")
EMAIL = EmailData(subject="Your widget is ready", recipient="ann@example.com")


def smtp_settings(app_config: AppConfig, port: int, **settings: Any) -> AppConfig:
    return AppConfig.model_validate(
        {
            **app_config.model_dump(),
            "MAIL_BACKEND": "smtp",
            "MAIL_SMTP_HOST": "127.0.0.1",
            "MAIL_SMTP_PORT": port,
            **settings,
        }
    )


def message() -> Any:
    return render(TEMPLATE, EMAIL).to_message("no-reply@example.com", "Kit")


def test_rendering_escapes_html_and_derives_text() -> None:
    rendered = render(TEMPLATE, EMAIL)
    assert "&lt;b&gt;Gizmo&lt;/b&gt;" in rendered.html
    assert "<b>Gizmo</b>" not in rendered.html
    assert "your dashboard (https://app.example/widgets/1)" in rendered.text
    assert "<p>" not in rendered.text


async def test_plain_smtp_delivers_multipart_html_and_text(app_config: AppConfig, tmp_path: Path) -> None:
    with smtp_server(tmp_path) as inbox:
        await SmtpBackend(smtp_settings(app_config, inbox.port)).send(message())
    [received] = inbox.messages
    assert received["Subject"] == "Your widget is ready"
    assert received["To"] == "ann@example.com"
    assert received.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content() for part in received.iter_parts()}
    assert set(parts) == {"text/plain", "text/html"}
    assert "https://app.example/widgets/1" in parts["text/plain"]
    assert "<a href=" in parts["text/html"]


async def test_starttls_with_authentication(app_config: AppConfig, tmp_path: Path) -> None:
    with smtp_server(tmp_path, "starttls", auth=True) as inbox:
        settings = smtp_settings(
            app_config,
            inbox.port,
            MAIL_SMTP_SECURITY="starttls",
            MAIL_SMTP_CA_FILE=inbox.ca_file,
            MAIL_SMTP_USERNAME=USERNAME,
            MAIL_SMTP_PASSWORD=PASSWORD,
        )
        await SmtpBackend(settings).send(message())
    assert inbox.logins == [USERNAME]
    assert len(inbox.messages) == 1


async def test_implicit_tls(app_config: AppConfig, tmp_path: Path) -> None:
    with smtp_server(tmp_path, "tls") as inbox:
        settings = smtp_settings(
            app_config, inbox.port, MAIL_SMTP_SECURITY="tls", MAIL_SMTP_CA_FILE=inbox.ca_file
        )
        await SmtpBackend(settings).send(message())
    assert len(inbox.messages) == 1


async def test_certificates_are_validated(app_config: AppConfig, tmp_path: Path) -> None:
    with smtp_server(tmp_path, "tls") as inbox:
        settings = smtp_settings(app_config, inbox.port, MAIL_SMTP_SECURITY="tls")  # no CA: untrusted
        with pytest.raises(Exception, match=r"(?i)certificate"):
            await SmtpBackend(settings).send(message())
    assert inbox.messages == []


async def test_starttls_mode_refuses_a_server_without_starttls(app_config: AppConfig, tmp_path: Path) -> None:
    with smtp_server(tmp_path) as inbox:
        settings = smtp_settings(app_config, inbox.port, MAIL_SMTP_SECURITY="starttls")
        with pytest.raises(Exception, match=r"(?i)starttls"):
            await SmtpBackend(settings).send(message())
    assert inbox.messages == []


def test_credentials_on_plaintext_are_refused_unless_allowed(app_config: AppConfig) -> None:
    with pytest.raises(ValidationError, match="plaintext"):
        smtp_settings(app_config, 1025, MAIL_SMTP_USERNAME=USERNAME, MAIL_SMTP_PASSWORD=PASSWORD)
    allowed = smtp_settings(
        app_config,
        1025,
        MAIL_SMTP_USERNAME=USERNAME,
        MAIL_SMTP_PASSWORD=PASSWORD,
        MAIL_SMTP_ALLOW_PLAINTEXT_AUTH=True,
    )
    assert allowed.MAIL_SMTP_ALLOW_PLAINTEXT_AUTH


async def test_plaintext_auth_when_explicitly_allowed(app_config: AppConfig, tmp_path: Path) -> None:
    with smtp_server(tmp_path, auth=True) as inbox:
        settings = smtp_settings(
            app_config,
            inbox.port,
            MAIL_SMTP_USERNAME=USERNAME,
            MAIL_SMTP_PASSWORD=PASSWORD,
            MAIL_SMTP_ALLOW_PLAINTEXT_AUTH=True,
        )
        await SmtpBackend(settings).send(message())
    assert inbox.logins == [USERNAME]


async def test_failed_send_raises(app_config: AppConfig) -> None:
    with pytest.raises(Exception):  # noqa: B017,PT011 - any connection error; the queue retries it
        await SmtpBackend(smtp_settings(app_config, closed_port())).send(message())


@pytest.mark.parametrize(
    "fields",
    [
        {"subject": "Hello", "recipient": "ann@example.com\r\nBcc: victim@example.com"},
        {"subject": "Hello", "recipient": "not-an-address"},
        {"subject": "", "recipient": "ann@example.com"},
    ],
)
def test_header_injection_and_bad_addresses_are_rejected(fields: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        EmailData.model_validate(fields)


@pytest.mark.parametrize(
    ("subject", "line"),
    [
        ("Hello\r\nBcc: victim@example.com", "Hello Bcc: victim@example.com"),
        ("Hello\nthere", "Hello there"),
        ("Room\r\n\r\n<html>\x00\x1b\x85\u2028 name", "Room <html> name"),
    ],
)
def test_subjects_are_flattened_to_one_line(subject: str, line: str) -> None:
    """Subjects carry user text (a room's name); the email goes out, with nothing injected."""
    email = EmailData(subject=subject, recipient="ann@example.com")
    assert email.subject == line
    message = render(TEMPLATE, email).to_message("noreply@example.com", "Kit")
    assert message["Subject"] == line
    assert message["Bcc"] is None
    assert EmailData(subject="x" * 500, recipient="ann@example.com").subject == "x" * 199 + "\u2026"


async def test_bad_recipient_through_the_api_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/widgets/platform/mail", json={"name": "x", "email": "ann@example.com\r\nBcc: v@example.com"}
    )
    assert response.status_code == 422


async def test_queued_email_is_sent_after_commit(client: httpx.AsyncClient, resources: Resources) -> None:
    response = await client.post(
        "/api/v1/widgets/platform/mail", json={"name": "Gizmo", "email": "bob@example.com"}
    )
    assert response.status_code == 202
    backend = resources.mail_backend
    assert isinstance(backend, MemoryBackend)
    [sent] = backend.sent
    assert sent["To"] == "bob@example.com"
    assert sent["Subject"] == "Gizmo is ready"
    assert {part.get_content_type() for part in sent.iter_parts()} == {"text/plain", "text/html"}
