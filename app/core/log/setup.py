"""structlog configured once for the whole process.

structlog loggers and plain stdlib loggers (uvicorn, SQLAlchemy, libraries) all end in one root
handler whose ProcessorFormatter renders JSON in production and readable lines in development,
with the request id and other context variables merged into every line.
"""

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, Literal, TextIO

import structlog
from structlog.tracebacks import ExceptionDictTransformer
from structlog.typing import EventDict, ExcInfo, Processor, WrappedLogger

from app.core.log.redaction import redact_secrets

# uvicorn's own access log is replaced by the request middleware's line (which has the request id).
# taskiq's per-message lines repeat what the task runner logs (with the request id), and the
# scheduler would log every periodic tick.
_SILENCED_LOGGERS = {
    "uvicorn.access": logging.WARNING,
    "taskiq.receiver.receiver": logging.WARNING,
    "taskiq.cli.scheduler.run": logging.WARNING,
}
_ROUTED_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "sqlalchemy", "alembic")


class _StdoutHandler(logging.Handler):
    """Writes to whatever sys.stdout is when a record is emitted (test runners and tools swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stdout.write(self.format(record) + "\n")
            sys.stdout.flush()
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)


def _drop_color_message(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    # uvicorn duplicates each message with ANSI colour codes under this key.
    event_dict.pop("color_message", None)
    return event_dict


def rich_traceback(sio: TextIO, exc_info: ExcInfo) -> None:
    """The console format's tracebacks, drawn by rich as structlog's RichTracebackFormatter does,
    without locals: they would print request data, secrets included. rich is imported here, on the
    first traceback, not with structlog (see app/core/__init__.py)."""
    from rich.console import Console  # noqa: PLC0415 - deferred: only a console traceback needs it
    from rich.traceback import Traceback  # noqa: PLC0415

    sio.write("\n")
    Console(file=sio, color_system="truecolor").print(Traceback.from_exception(*exc_info, show_locals=False))


def shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        _drop_color_message,
        redact_secrets,
    ]


def build_formatter(log_format: Literal["json", "console"]) -> structlog.stdlib.ProcessorFormatter:
    renderer: list[Processor]
    if log_format == "json":
        # Locals in tracebacks would dump request data (and secrets) into the logs.
        tracebacks = structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False))
        renderer = [tracebacks, structlog.processors.JSONRenderer()]
    else:
        renderer = [structlog.dev.ConsoleRenderer(exception_formatter=rich_traceback)]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared_processors(),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderer],
    )


def configure_logging(level: str, log_format: Literal["json", "console"]) -> None:
    """Idempotent: later calls replace the handler, so tests and uvicorn reloads stay clean."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared_processors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = _StdoutHandler()
    handler.setFormatter(build_formatter(log_format))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in _ROUTED_LOGGERS:
        routed = logging.getLogger(name)
        routed.handlers.clear()
        routed.propagate = True
    for name, silenced_level in _SILENCED_LOGGERS.items():
        logging.getLogger(name).setLevel(silenced_level)
    # Python warnings (SQLAlchemy's, deprecations, ...) as log lines instead of raw stderr text.
    logging.captureWarnings(True)


def bound_context() -> MutableMapping[str, Any]:
    """Context variables bound to the current request or task (request_id, ...)."""
    return structlog.contextvars.get_contextvars()
