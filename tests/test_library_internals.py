"""No code in app/ reaches a library's private names, except its one adapter module per library
(each with tests of its own that fail when the library changes what the adapter relies on):

- app/core/queue/redis_streams.py: taskiq-redis (tests/core/queue/test_redis_streams.py)
- app/core/limiter/pyrate_adapter.py: pyrate-limiter (tests/core/limiter/test_pyrate_adapter.py)
- app/core/db/direct.py: SQLAlchemy's statement cache key (tests/core/db/test_direct_reads.py)

Private means a name with a leading underscore (not a dunder): an attribute read on anything
but `self` or `cls`, the same through getattr/setattr/hasattr, an import of one, or a method in a
class extending a library's class that replaces the library's own method of that name. A public
name the library does not document (pyrate-limiter's `LuaScript`) escapes this check: the review
puts such a use in the library's adapter too.
"""

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADAPTERS = {"app/core/queue/redis_streams.py", "app/core/limiter/pyrate_adapter.py", "app/core/db/direct.py"}
OWN_PACKAGES = {"app", "tests", "__future__"}


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def library_imports(tree: ast.Module) -> dict[str, str]:
    """Local name -> what it is imported as ("module" or "module:attribute"), for every name the
    file imports from a library (the standard library included)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] not in OWN_PACKAGES:
                names.update(
                    {alias.asname or alias.name: f"{node.module}:{alias.name}" for alias in node.names}
                )
        elif isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top not in OWN_PACKAGES:
                    names[alias.asname or top] = alias.name if alias.asname else top
    return names


def library_class(base: ast.expr, imports: dict[str, str]) -> type | None:
    """The library class a class statement extends, if `base` names one."""
    attributes: list[str] = []
    while isinstance(base, ast.Attribute):
        attributes.insert(0, base.attr)
        base = base.value
    if isinstance(base, ast.Subscript):
        return library_class(base.value, imports)
    if not isinstance(base, ast.Name) or base.id not in imports:
        return None
    module, _, name = imports[base.id].partition(":")
    found: object = importlib.import_module(module)
    for attribute in [name, *attributes] if name else attributes:
        found = getattr(found, attribute)
    return found if isinstance(found, type) else None


def violations(source: str, filename: str) -> Iterator[str]:
    tree = ast.parse(source, filename=filename)
    imports = library_imports(tree)
    for node in ast.walk(tree):
        where = f"{filename}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Attribute) and private(node.attr):
            if not (isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"}):
                yield f"{where}: reads .{node.attr}"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in {"getattr", "setattr", "hasattr", "delattr"} and len(node.args) > 1:
                name = node.args[1]
                if isinstance(name, ast.Constant) and isinstance(name.value, str) and private(name.value):
                    yield f"{where}: {node.func.id}(..., {name.value!r})"
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] not in OWN_PACKAGES:
                parts = [*node.module.split("."), *(alias.name for alias in node.names)]
                if any(private(part) for part in parts):
                    yield f"{where}: imports from {node.module}"
        elif isinstance(node, ast.ClassDef):
            bases = [cls for cls in (library_class(base, imports) for base in node.bases) if cls]
            for item in node.body:
                overrides = any(hasattr(base, getattr(item, "name", "")) for base in bases)
                if (
                    isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                    and private(item.name)
                    and overrides
                ):
                    yield f"{where}: {node.name}.{item.name} overrides the library's own"


def test_only_adapters_touch_library_internals() -> None:
    found: list[str] = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        filename = str(path.relative_to(ROOT))
        if filename not in ADAPTERS:
            found.extend(violations(path.read_text(), filename))
    assert found == []


def test_the_check_sees_each_kind_of_violation() -> None:
    planted = """
from sqlalchemy.engine import default
from taskiq_redis import RedisStreamBroker
from pip._internal.models.index import PyPI
ping = default.DefaultDialect()._do_ping_w_event
ping = getattr(default, "_private")
class Broker(RedisStreamBroker):
    def _ack_generator(self, id: str, queue_name: str) -> None: ...
    def _a_helper_of_its_own(self) -> None: ...
"""
    found = [line.split(": ", 1)[1] for line in violations(planted, "planted.py")]
    assert sorted(found) == [
        "Broker._ack_generator overrides the library's own",
        "getattr(..., '_private')",
        "imports from pip._internal.models.index",
        "reads ._do_ping_w_event",
    ]
    assert list(violations((ROOT / "app/core/queue/redis_streams.py").read_text(), "redis_streams.py"))
