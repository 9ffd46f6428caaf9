"""The dependency rule as import-linter checks it (scripts/import_contracts.py)."""

import pytest

from scripts.import_contracts import _violation


@pytest.mark.parametrize(
    ("importer", "imported", "allowed"),
    [
        ("app.core.db.base", "app.core.clock", True),
        ("app.core.deps", "app.auth", False),
        ("app.core.deps", "app.main", False),
        ("app.chat.routes.v1.rooms", "app.auth", True),
        ("app.chat.routes.v1.rooms", "app.auth.services.user", False),
        ("app.chat.listeners", "app.core.deps", True),
        ("app.chat.services.rooms", "app.chat.repositories.rooms", True),
        ("app.chat.tasks", "app.modules", False),
        ("app.main", "app.chat.models", True),
        ("app.worker", "app.auth.tasks", True),
    ],
)
def test_dependency_rule(importer: str, imported: str, allowed: bool) -> None:
    assert (_violation(importer, imported) is None) is allowed
