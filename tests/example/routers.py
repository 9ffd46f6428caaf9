"""The example module's HTTP surface, mounted when a test app installs the module."""

from tests.example.routes import router

__all__ = ["router"]
