"""Health endpoints."""

from app.core.health.routes import router

__all__ = ["router"]
