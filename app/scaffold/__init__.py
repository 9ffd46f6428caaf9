"""`new-module NAME`: a working module skeleton in the house vocabulary.

Generates app/NAME (config, models, schemas, repositories, services, policies, routes, deps,
events, listeners, tasks, emails, gateway, exceptions), tests/NAME, and the migration of its table,
then registers the module in app/modules.py. The generated tests pass as generated.
"""

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory

TEMPLATES = Path(__file__).resolve().parent / "templates"
NAME = re.compile(r"^[a-z][a-z0-9_]{1,29}$")
RESERVED = frozenset(
    {"core", "main", "cli", "modules", "worker", "scaffold", "app", "tests", "test", "alembic"}
)
_INSTALLED = re.compile(r"INSTALLED_MODULES: tuple\[str, \.\.\.\] = \((?P<body>[^)]*)\)", re.DOTALL)


class ScaffoldError(ValueError):
    pass


def _render(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"<<{key}>>", value)
    return text


def _write(path: Path, content: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    return path


def _next_revision(script: ScriptDirectory) -> tuple[str, str]:
    head = script.get_current_head()
    if head is None:
        raise ScaffoldError("the migrations have no head")
    revision = f"{int(head) + 1:04d}" if head.isdigit() else datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    return revision, head


def _register(modules_file: Path, package: str) -> None:
    text = modules_file.read_text()
    match = _INSTALLED.search(text)
    if match is None:
        raise ScaffoldError(f"INSTALLED_MODULES not found in {modules_file}")
    installed = [*re.findall(r'"([^"]+)"', match.group("body")), package]
    body = "".join(f'    "{name}",\n' for name in installed)
    modules_file.write_text(
        text[: match.start()] + f"INSTALLED_MODULES: tuple[str, ...] = (\n{body})" + text[match.end() :]
    )


def new_module(name: str, root: Path) -> list[Path]:
    if not NAME.fullmatch(name) or name in RESERVED:
        raise ScaffoldError(
            "the name must be 2-30 lower-case letters, digits or '_', and not a reserved name"
        )
    package_dir = root / "app" / name
    if package_dir.exists():
        raise ScaffoldError(f"app/{name} already exists")
    values = {"name": name, "Name": "".join(part.title() for part in name.split("_")), "NAME": name.upper()}
    created = []
    for template in sorted((TEMPLATES / "module").rglob("*.tmpl")):
        relative = template.relative_to(TEMPLATES / "module").with_suffix("")
        created.append(_write(package_dir / relative, _render(template.read_text(), values)))
    for template in sorted((TEMPLATES / "tests").rglob("*.tmpl")):
        relative = template.relative_to(TEMPLATES / "tests").with_suffix("")
        created.append(_write(root / "tests" / name / relative, _render(template.read_text(), values)))

    revision, down_revision = _next_revision(ScriptDirectory(str(root / "alembic")))
    now = datetime.now(UTC)
    migration_values = {
        **values,
        "revision": revision,
        "down_revision": down_revision,
        "date": now.isoformat(),
    }
    migration = root / "alembic" / "versions" / f"{now:%Y%m%d}_{revision}_{name}_tables.py"
    created.append(
        _write(migration, _render((TEMPLATES / "migration.py.tmpl").read_text(), migration_values))
    )

    _register(root / "app" / "modules.py", f"app.{name}")
    python_files = [str(path) for path in created if path.suffix == ".py"] + [
        str(root / "app" / "modules.py")
    ]
    # House style for the new files (import order depends on the module's name). Our own files as
    # arguments, this interpreter's ruff: nothing untrusted reaches the command line.
    for command in (["check", "--fix", "--quiet"], ["format", "--quiet"]):
        ruff = [sys.executable, "-m", "ruff", *command, *python_files]
        subprocess.run(ruff, cwd=root, check=False)  # noqa: S603
    return created
