"""The pages email links open when there is no front end (FRONTEND_URL unset).

Plain HTML forms that confirm an address or set a new password through the public JSON API
(`POST /auth/verify-email`, `POST /auth/reset-password`). Opening one changes nothing: its
script posts only when the button is pressed. Script and style are files of their own, served
here, so the pages need nothing a `default-src 'self'` Content-Security-Policy forbids.
"""

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from app.auth.services.links import PAGES_PREFIX, RESET_PASSWORD_PAGE, VERIFY_EMAIL_PAGE
from app.core.api import Asset, error_responses
from app.core.deps import Config
from app.core.errors import NotFound

if TYPE_CHECKING:
    from fastapi.templating import Jinja2Templates

PAGES = Path(__file__).resolve().parents[2] / "pages"
# Read once: the only files served (a name from the URL never reaches the file system).
ASSETS = {
    path.name: Asset.read(path) for path in (PAGES / "static").iterdir() if path.suffix in (".css", ".js")
}
# The token is in the fragment, which no Referer carries; this keeps even the page's address
# out of requests to anywhere else.
PAGE_HEADERS = {"Referrer-Policy": "no-referrer"}


async def pages_enabled(config: Config) -> None:
    """Served only while links lead here: a deployment with a front end has its own pages."""
    if config.email_links.to_frontend:
        raise NotFound()


@cache
def templates() -> "Jinja2Templates":
    """Built when a page is first opened: Jinja2 is loaded only in processes that serve one (with
    a front end, never), not with the API's routes."""
    from fastapi.templating import Jinja2Templates  # noqa: PLC0415 - deferred, see the docstring

    return Jinja2Templates(directory=PAGES / "templates")


router = APIRouter(
    prefix=PAGES_PREFIX, tags=["auth"], include_in_schema=False, dependencies=[Depends(pages_enabled)]
)


def _page(request: Request, config: Config, template: str, endpoint: str) -> HTMLResponse:
    # Behind a proxy that mounts the app under a path (root_path), the API is under it too.
    api_prefix = request.scope.get("root_path", "") + config.API_PREFIX
    context = {"api_prefix": api_prefix, "endpoint": endpoint, "project_name": config.PROJECT_NAME}
    return templates().TemplateResponse(request, template, context, headers=PAGE_HEADERS)


@router.get(
    VERIFY_EMAIL_PAGE,
    summary="The page a verification link opens",
    response_class=HTMLResponse,
    status_code=200,
    responses=error_responses(404),
)
async def verify_email_page(request: Request, config: Config) -> HTMLResponse:
    return _page(request, config, "verify_email.html", "/auth/verify-email")


@router.get(
    RESET_PASSWORD_PAGE,
    summary="The page a password reset link opens",
    response_class=HTMLResponse,
    status_code=200,
    responses=error_responses(404),
)
async def reset_password_page(request: Request, config: Config) -> HTMLResponse:
    return _page(request, config, "reset_password.html", "/auth/reset-password")


@router.get(
    "/static/{name}",
    summary="A script or style sheet of the pages",
    response_class=Response,
    status_code=200,
    responses=error_responses(404),
)
async def page_asset(name: str, request: Request) -> Response:
    asset = ASSETS.get(name)
    if asset is None:
        raise NotFound()
    return asset.response(request)
