"""The middleware stack, assembled in one place so its order is explicit."""

from collections.abc import Sequence

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from app.core.config import AppConfig
from app.core.middleware.body_limit import BodyLimitMiddleware
from app.core.middleware.json_body import JsonBodyMiddleware
from app.core.middleware.request_context import REQUEST_ID_HEADER, RequestContextMiddleware
from app.core.middleware.security_headers import SecurityHeadersMiddleware
from app.core.middleware.trusted_hosts import TrustedHostMiddleware

# Health checks and metrics scrapes: their clients reach a process by address, not by public name.
PROBE_PATHS = ("/health/live", "/health/ready", "/metrics")


def install_middleware(
    app: FastAPI, config: AppConfig, body_size_limits: Sequence[tuple[str, int]] = ()
) -> None:
    """Outermost first: security headers, request context, CORS, trusted hosts, body limit,
    JSON body checks, gzip. `body_size_limits`: (path regex, bytes) of routes allowed more than
    MAX_REQUEST_BODY_BYTES.

    `add_middleware` wraps the current stack, so the calls below run innermost first.
    """
    app.add_middleware(GZipMiddleware, minimum_size=config.GZIP_MINIMUM_SIZE)
    # Inside the body limit: it reads JSON bodies in full, which the limit keeps bounded.
    app.add_middleware(JsonBodyMiddleware, max_depth=config.MAX_REQUEST_JSON_DEPTH)
    app.add_middleware(
        BodyLimitMiddleware, max_body_bytes=config.MAX_REQUEST_BODY_BYTES, overrides=body_size_limits
    )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=config.TRUSTED_HOSTS, exempt_paths=PROBE_PATHS)
    if config.CORS_ORIGINS:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=config.CORS_ORIGINS,
            allow_credentials="*" not in config.CORS_ORIGINS,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=[REQUEST_ID_HEADER],
        )
    app.add_middleware(RequestContextMiddleware)
    # Outermost, so that even the last-resort 500 carries them.
    app.add_middleware(SecurityHeadersMiddleware, settings=config)


__all__ = ["REQUEST_ID_HEADER", "install_middleware"]
