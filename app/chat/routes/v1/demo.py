"""A small browser client for the chat: a page, its script and its style; no build step, only the
public API. No inline script or style: the page runs under the HTML Content-Security-Policy."""

from pathlib import Path

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse

from app.chat.deps import ChatSettingsDep
from app.core.api import Asset, error_responses
from app.core.deps import Config
from app.core.errors import NotFound

router = APIRouter(prefix="/chat", tags=["chat"])
STATIC = Path(__file__).resolve().parents[2] / "static"
PAGE = (STATIC / "demo.html").read_text()
SCRIPT = Asset.read(STATIC / "demo.js")
STYLE = Asset.read(STATIC / "demo.css")


async def demo_enabled(config: Config, chat: ChatSettingsDep) -> None:
    """CHAT_DEMO_ENABLED, by default on only in development and testing."""
    enabled = config.ENVIRONMENT.is_local if chat.DEMO_ENABLED is None else chat.DEMO_ENABLED
    if not enabled:
        raise NotFound()


@router.get(
    "/demo",
    summary="The chat demo page",
    response_class=HTMLResponse,
    status_code=200,
    dependencies=[Depends(demo_enabled)],
    responses=error_responses(404),
)
async def demo() -> HTMLResponse:
    return HTMLResponse(PAGE)


# The page's own files, beside it (`demo.js` from /chat/demo): guarded like the page.
@router.get("/demo.js", include_in_schema=False, dependencies=[Depends(demo_enabled)])
async def demo_script(request: Request) -> Response:
    return SCRIPT.response(request)


@router.get("/demo.css", include_in_schema=False, dependencies=[Depends(demo_enabled)])
async def demo_style(request: Request) -> Response:
    return STYLE.response(request)
