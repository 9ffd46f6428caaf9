"""Structured logging (structlog) for the API, workers and the CLI."""

from app.core.log.logger import LogService, LogServiceInterface, logger
from app.core.log.redaction import REDACTED, is_secret_key, redact
from app.core.log.setup import bound_context, build_formatter, configure_logging

__all__ = [
    "REDACTED",
    "LogService",
    "LogServiceInterface",
    "bound_context",
    "build_formatter",
    "configure_logging",
    "is_secret_key",
    "logger",
    "redact",
]
