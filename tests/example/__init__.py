"""A tiny module that exists only in the tests: it proves BaseRepository, ListParams, the unit of
work and the error handling end to end through HTTP, without shipping a fake feature."""

from tests.example import listeners, tasks
from tests.example.models import ExampleBase, Widget
from tests.example.routes import router

__all__ = ["ExampleBase", "Widget", "listeners", "router", "tasks"]
