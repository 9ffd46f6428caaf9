"""The API docs (/docs: Swagger UI, /redoc: ReDoc) from the app's own assets: no CDN, no Google
Fonts, no inline script, so they load offline and under a strict Content-Security-Policy.

Swagger UI's and ReDoc's builds come from the fastapi-offline package (it ships the major versions
FastAPI's own pages load from the CDN, and its releases follow theirs); the pages and Swagger UI's
start script are the kit's. A page hands its settings to its script in `data-` attributes, never in
inline code: the start script stays a cacheable file and the policy needs no nonce per response.
"""

import json
from functools import cache
from html import escape
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from app.core.api.assets import Asset, AssetFiles
from app.core.config import AppConfig
from app.core.settings.security import OFF

ASSETS_PATH = "/docs/assets"
_KIT_ASSETS = Path(__file__).resolve().parent / "static"
_PACKAGE = "fastapi_offline"
# ReDoc's side menu shows Redocly's logo from Redocly's CDN, and no option turns it off: the bundle
# is served with no image named there instead (the logo then hides itself, as it does offline).
_REDOC_CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
# What each page needs on top of CONTENT_SECURITY_POLICY_HTML, as Chromium reports it. Both draw
# icons as data: SVGs. ReDoc's stylesheets go into empty <style> elements through the CSSOM (the
# hash of the empty string) but for one fixed stylesheet (perfect-scrollbar's, by its hash), and
# its search runs in a Web Worker built from a blob: URL. Hashes, not 'unsafe-inline': no injected
# style applies. A new ReDoc may need new hashes: tests/core/api/test_docs_browser.py names any
# blocked one.
_SWAGGER_UI_NEEDS = {"img-src": "data:"}
_REDOC_NEEDS = {
    **_SWAGGER_UI_NEEDS,
    "style-src": "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' "
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
    "worker-src": "blob:",
}


def widen_policy(policy: str, extra: dict[str, str]) -> str:
    """`policy` with `extra`'s sources added to each named directive (a missing directive starts
    from default-src's sources, as browsers read it)."""
    if policy.strip().lower() == OFF:
        return policy
    directives: dict[str, str] = {}
    for directive in filter(None, (part.strip() for part in policy.split(";"))):
        name, _, sources = directive.partition(" ")
        directives[name.lower()] = sources.strip()
    default = directives.get("default-src", "")
    for name, sources in extra.items():
        current = directives.get(name, default).replace("'none'", "").strip()
        directives[name] = f"{current} {sources}".strip()
    return "; ".join(f"{name} {sources}".strip() for name, sources in directives.items())


def _page(title: str, head: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{head}</head>\n<body>\n{body}</body>\n</html>\n"
    )


def swagger_ui_page(title: str, openapi_url: str, assets: str, parameters: dict[str, Any]) -> str:
    """FastAPI's page, minus the CDN and the inline start script (swagger-init.js does it)."""
    assets = escape(assets)
    return _page(
        f"{title} - Swagger UI",
        f'<link rel="stylesheet" href="{assets}/swagger-ui.css">\n'
        f'<link rel="icon" href="{assets}/favicon.png">\n',
        f'<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}" '
        f'data-parameters="{escape(json.dumps(parameters))}"></div>\n'
        f'<script src="{assets}/swagger-ui-bundle.js"></script>\n'
        f'<script src="{assets}/swagger-init.js"></script>\n',
    )


def redoc_page(title: str, openapi_url: str, assets: str) -> str:
    """ReDoc starts by itself on a <redoc spec-url> element; with no font link it uses the
    system's fonts instead of Google's."""
    assets = escape(assets)
    return _page(
        f"{title} - ReDoc",
        f'<link rel="stylesheet" href="{assets}/docs.css">\n<link rel="icon" href="{assets}/favicon.png">\n',
        f'<redoc spec-url="{escape(openapi_url)}"></redoc>\n'
        f'<script src="{assets}/redoc.standalone.js"></script>\n',
    )


def _policy_header(policy: str) -> dict[str, str]:
    return {} if policy.strip().lower() == OFF else {"Content-Security-Policy": policy}


@cache
def redoc_bundle() -> Asset:
    bundle = (files(_PACKAGE) / "static" / "redoc.standalone.js").read_bytes()
    return Asset(bundle.replace(_REDOC_CDN_LOGO, b""), "text/javascript; charset=utf-8")


def resolve_security_scheme_urls(app: FastAPI, api_prefix: str) -> None:
    """OAuth2 URLs of security schemes (the password flow's tokenUrl) are declared relative to
    the API prefix, as module routes are (`auth/login`); the schema names them in full, so the
    docs' Authorize button posts to the right path whatever API_PREFIX is."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        for scheme in schema.get("components", {}).get("securitySchemes", {}).values():
            for flow in scheme.get("flows", {}).values():
                for key in ("tokenUrl", "refreshUrl", "authorizationUrl"):
                    url = flow.get(key)
                    if url and not url.startswith("/") and "://" not in url:
                        flow[key] = f"{api_prefix.rstrip('/')}/{url}"
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_docs(app: FastAPI, config: AppConfig) -> None:
    """The schema's security URLs always; /docs, /redoc and their assets when the docs are on
    (FastAPI's own docs_url and redoc_url stay off: they load from a CDN)."""
    resolve_security_scheme_urls(app, config.API_PREFIX)
    if app.openapi_url is None:
        return
    openapi_path = app.openapi_url
    swagger_ui_headers = _policy_header(widen_policy(config.CONTENT_SECURITY_POLICY_HTML, _SWAGGER_UI_NEEDS))
    redoc_headers = _policy_header(widen_policy(config.CONTENT_SECURITY_POLICY_HTML, _REDOC_NEEDS))

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        parameters = app.swagger_ui_parameters or {}
        page = swagger_ui_page(app.title, root + openapi_path, root + ASSETS_PATH, parameters)
        return HTMLResponse(page, headers=swagger_ui_headers)

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        page = redoc_page(app.title, root + openapi_path, root + ASSETS_PATH)
        return HTMLResponse(page, headers=redoc_headers)

    # Before the mount, which would serve the file as the package has it.
    @app.get(f"{ASSETS_PATH}/redoc.standalone.js", include_in_schema=False)
    async def redoc_script(request: Request) -> Response:
        return redoc_bundle().response(request)

    app.mount(ASSETS_PATH, AssetFiles(directory=_KIT_ASSETS, packages=[(_PACKAGE, "static")]))
