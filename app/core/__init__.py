"""The shared platform. It never imports a feature module (enforced by import-linter)."""

from app.core.imports import import_without

# First thing of the platform, before any of its modules imports structlog: structlog imports rich
# on import when it is installed (typer requires it, for the CLI), for console tracebacks only.
# That is ~30 ms and ~4 MB in every process, JSON-logging servers included; the console format
# imports rich itself when it renders a traceback (app.core.log.setup).
import_without("structlog", hidden=["rich"])
