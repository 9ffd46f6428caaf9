"""A one-file browser client for the chat: no build step, only the public API."""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(prefix="/chat", tags=["chat"])
PAGE = (Path(__file__).resolve().parents[2] / "static" / "demo.html").read_text()


@router.get("/demo", summary="The chat demo page", response_class=HTMLResponse, status_code=200)
async def demo() -> HTMLResponse:
    return HTMLResponse(PAGE)
