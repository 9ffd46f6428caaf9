from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings

# The value that drops a header (an empty setting means "the default").
OFF = "off"


class SecurityHeaderSettings(BaseSettings):
    """Headers every response carries unless its route sets its own (see
    app/core/middleware/security_headers.py). Set a policy to `off` to drop its header, e.g. when
    a reverse proxy sets it."""

    # Strict-Transport-Security max-age in seconds (0: header off). Turn it on once every
    # client reaches the API over HTTPS only: browsers then refuse plain HTTP for that long.
    HSTS_MAX_AGE: int = Field(default=0, ge=0)
    # Content-Security-Policy of every response but an HTML page: JSON loads nothing and is
    # framed by no one, so a response a browser renders anyway (an error opened in a tab, a
    # sniffed upload) can run nothing.
    CONTENT_SECURITY_POLICY: str = "default-src 'none'; frame-ancestors 'none'"
    # Content-Security-Policy of the HTML pages the kit serves (the chat demo, account pages):
    # their own scripts, styles and API calls only, nothing inline, nothing from elsewhere. The
    # API docs add what Swagger UI and ReDoc need on top of it (see app/core/api/docs.py).
    CONTENT_SECURITY_POLICY_HTML: str = (
        "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    # Sent by browsers with the requests a page makes: none, so a token in a page's URL (an
    # email link) never reaches another server, nor this one's logs through the Referer header.
    REFERRER_POLICY: str = "no-referrer"
    # X-Frame-Options, for browsers that predate CSP's frame-ancestors.
    FRAME_OPTIONS: Literal["DENY", "SAMEORIGIN", "off"] = "DENY"
