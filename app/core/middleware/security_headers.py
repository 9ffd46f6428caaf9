"""Headers every response carries unless its route set its own (values: SecurityHeaderSettings).

- `Cache-Control: no-store`: API responses hold tokens, profiles and other users' data; no shared
  or browser cache may keep them. A route whose answer may be cached says so itself.
- `X-Content-Type-Options: nosniff`: a browser renders a response only as its declared type (an
  upload or a JSON string is never run as a script or page).
- `Content-Security-Policy`: a strict one (nothing loads, no framing) on every response but HTML;
  HTML pages get one that allows only the app's own assets. A page needing more (the API docs)
  sets its own.
- `X-Frame-Options` and `frame-ancestors`: no page of the app inside another site's frame.
- `Referrer-Policy`: nothing of a page's URL leaves with the requests it makes.
- `Strict-Transport-Security` when HSTS_MAX_AGE is set: browsers then use HTTPS only.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.settings.security import OFF, SecurityHeaderSettings

CSP = "Content-Security-Policy"


def _enabled(headers: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if value.strip().lower() != OFF}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, settings: SecurityHeaderSettings) -> None:
        self.app = app
        common = {
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": settings.FRAME_OPTIONS,
            "Referrer-Policy": settings.REFERRER_POLICY,
        }
        if settings.HSTS_MAX_AGE:
            common["Strict-Transport-Security"] = f"max-age={settings.HSTS_MAX_AGE}"
        self.defaults = _enabled({**common, CSP: settings.CONTENT_SECURITY_POLICY})
        self.html_defaults = _enabled({**common, CSP: settings.CONTENT_SECURITY_POLICY_HTML})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                html = headers.get("content-type", "").startswith("text/html")
                for name, value in (self.html_defaults if html else self.defaults).items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
