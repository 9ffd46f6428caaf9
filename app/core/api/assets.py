"""Static assets of the app's own pages (scripts, styles), served from the package."""

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

# Kept by the browser but checked (ETag) before each use: a deploy's new assets show at once, and
# an unchanged one costs a 304. Overrides the API's default no-store.
ASSET_CACHE_CONTROL = "no-cache"


class AssetFiles(StaticFiles):
    """StaticFiles whose answers may be cached (see ASSET_CACHE_CONTROL)."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = ASSET_CACHE_CONTROL
        return response


@dataclass(frozen=True)
class Asset:
    """One small asset held in memory, for a route that guards it (a page that can be turned
    off) or builds it; answered with the ETag and 304 StaticFiles gives files."""

    content: bytes
    media_type: str

    @classmethod
    def read(cls, path: Path) -> "Asset":
        media_type, _ = mimetypes.guess_type(path.name)
        media_type = media_type or "application/octet-stream"
        if media_type.startswith("text/"):
            media_type += "; charset=utf-8"
        return cls(path.read_bytes(), media_type)

    @property
    def etag(self) -> str:
        return f'"{hashlib.sha256(self.content).hexdigest()[:32]}"'

    def response(self, request: Request) -> Response:
        headers = {"Cache-Control": ASSET_CACHE_CONTROL, "ETag": self.etag}
        if self.etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(self.content, media_type=self.media_type, headers=headers)
