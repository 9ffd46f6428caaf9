"""A real SMTP server (aiosmtpd) for the tests, optionally with TLS and authentication."""

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from tests.core.health.test_health import closed_port as free_port

USERNAME, PASSWORD = "mailer", "s3cret-pass"


@dataclass
class Inbox:
    port: int
    ca_file: str | None = None
    messages: list[EmailMessage] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    # The first this many messages are refused with a temporary error (451), as a busy server does;
    # with refuse_to, only messages to that address count (the test's own, not another's leftovers).
    refuse_first: int = 0
    refuse_to: str | None = None
    refused: int = 0

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        del server, session
        refusable = self.refuse_to is None or self.refuse_to in envelope.rcpt_tos
        if refusable and self.refused < self.refuse_first:
            self.refused += 1
            return "451 4.3.0 Try again later"
        assert isinstance(envelope.content, bytes)
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"

    def authenticate(
        self, server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        del server, session, envelope, mechanism
        if (
            isinstance(data, LoginPassword)
            and data.login.decode() == USERNAME
            and data.password.decode() == PASSWORD
        ):
            self.logins.append(USERNAME)
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


@contextmanager
def smtp_server(
    tmp_path: Path,
    security: str = "none",
    *,
    auth: bool = False,
    port: int | None = None,
    refuse_first: int = 0,
    refuse_to: str | None = None,
) -> Iterator[Inbox]:
    """security: none | starttls (required) | tls (implicit); auth: require AUTH LOGIN/PLAIN;
    port: where to listen (a free one if not given); refuse_first: messages refused with 451
    (only those to `refuse_to`, if given)."""
    inbox = Inbox(port=port or free_port(), refuse_first=refuse_first, refuse_to=refuse_to)
    options: dict[str, Any] = {"hostname": "127.0.0.1", "port": inbox.port}
    if security != "none":
        authority = trustme.CA()
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
        ca_file = tmp_path / "ca.pem"
        authority.cert_pem.write_to_path(str(ca_file))
        inbox.ca_file = str(ca_file)
        if security == "starttls":
            options.update(tls_context=server_context, require_starttls=True)
        else:
            options.update(ssl_context=server_context)
    if auth:
        options.update(authenticator=inbox.authenticate, auth_require_tls=security != "none")
    controller = Controller(inbox, **options)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
