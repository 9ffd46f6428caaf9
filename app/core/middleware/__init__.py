"""The middleware stack, assembled in one place so its order is explicit."""

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from app.core.config import AppConfig
from app.core.middleware.body_limit import BodyLimitMiddleware, allow_body_size
from app.core.middleware.request_context import REQUEST_ID_HEADER, RequestContextMiddleware
from app.core.middleware.trusted_hosts import TrustedHostMiddleware


def install_middleware(app: FastAPI, config: AppConfig) -> None:
    """Outermost first: request context, CORS, trusted hosts, body limit, gzip.

    `add_middleware` wraps the current stack, so the calls below run innermost first.
    """
    app.add_middleware(GZipMiddleware, minimum_size=config.GZIP_MINIMUM_SIZE)
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=config.MAX_REQUEST_BODY_BYTES)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=config.TRUSTED_HOSTS)
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


__all__ = ["REQUEST_ID_HEADER", "allow_body_size", "install_middleware"]
