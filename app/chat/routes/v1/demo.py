"""A one-file browser client for the chat: no build step, only the public API."""

from pathlib import Path

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from app.chat.deps import ChatSettingsDep
from app.core.api import error_responses
from app.core.deps import Config
from app.core.errors import NotFound

router = APIRouter(prefix="/chat", tags=["chat"])
PAGE = (Path(__file__).resolve().parents[2] / "static" / "demo.html").read_text()


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
