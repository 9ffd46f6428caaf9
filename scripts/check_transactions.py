"""Transactions end only in the unit of work (run by `make lint`).

- No `.commit()` call in app/ outside the database layer (app/core/db): the boundary that opened
  the unit of work commits (a request, a task run, a CLI command); services flush. A unit of work
  that must end a read early (before a slow upload) calls `end_read_transaction()`.
- No SQL in routes: no `.execute()`, `.scalar()` or `.scalars()` on a session, no
  `text(...)`, in any `routes` package (import-linter keeps SQLAlchemy and repositories out of
  their imports; this catches a session reached through the platform).

Usage: python scripts/check_transactions.py [root]; prints each violation and exits 1 if any.
"""

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

UNIT_OF_WORK_PACKAGE = Path("app/core/db")
SESSION_SQL = frozenset({"execute", "scalar", "scalars"})


def _calls(tree: ast.AST) -> Iterator[tuple[ast.Call, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute):
                yield node, node.func.attr
            elif isinstance(node.func, ast.Name):
                yield node, node.func.id


def violations(root: Path) -> Iterator[str]:
    for path in sorted((root / "app").rglob("*.py")):
        relative = path.relative_to(root)
        in_routes = "routes" in relative.parts[:-1]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(relative))
        for call, name in _calls(tree):
            where = f"{relative}:{call.lineno}"
            attribute = isinstance(call.func, ast.Attribute)
            if attribute and name == "commit" and not relative.is_relative_to(UNIT_OF_WORK_PACKAGE):
                yield f"{where}: commit outside the unit of work (the boundary commits; services flush)"
            elif in_routes and ((attribute and name in SESSION_SQL) or (not attribute and name == "text")):
                yield f"{where}: SQL in a route ({name}); call a service"


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path()
    found = list(violations(root))
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
