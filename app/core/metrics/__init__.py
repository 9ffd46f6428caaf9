"""Prometheus metrics: HTTP requests, database pool, queue depth, task outcomes."""

from app.core.metrics.collectors import TASKS, registry
from app.core.metrics.middleware import MetricsMiddleware
from app.core.metrics.routes import router

__all__ = ["TASKS", "MetricsMiddleware", "registry", "router"]
