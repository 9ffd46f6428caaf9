"""The dependency rule as import-linter checks it (scripts/import_contracts.py)."""

import pytest

from scripts.import_contracts import _violation, layer_ranks, layer_violation, strongly_connected


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


RANKS = layer_ranks(["routes | tasks", "services", "repositories", "models | config"])


@pytest.mark.parametrize(
    ("importer", "imported", "allowed"),
    [
        ("routes.v1.items", "services.items", True),
        ("routes.v1.items", "models", True),
        ("services.items", "services.factory", True),
        ("repositories.item", "services.items", False),
        ("models", "config", False),
        ("routes.v1.items", "tasks", False),
        ("helpers", "routes.v1.items", True),
    ],
)
def test_module_layers(importer: str, imported: str, allowed: bool) -> None:
    assert (layer_violation(RANKS, importer, imported) is None) is allowed


def test_cycles_are_found() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert strongly_connected(edges) == [["a", "b", "c"]]
