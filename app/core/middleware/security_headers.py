"""Headers every response carries unless its route set its own.

- `Cache-Control: no-store`: API responses hold tokens, profiles and other users' data; no shared
  or browser cache may keep them. A route whose answer may be cached says so itself.
- `Strict-Transport-Security` when HSTS_MAX_AGE is set: browsers then use HTTPS only.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, hsts_max_age: int) -> None:
        self.app = app
        self.defaults = {"Cache-Control": "no-store"}
        if hsts_max_age:
            self.defaults["Strict-Transport-Security"] = f"max-age={hsts_max_age}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.defaults.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
