"""`new-module` on a copy of the project: the generated module passes lint, type checks, the import
rules, the migration no-drift check, and its own generated tests."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from app.core.config import AppConfig
from app.core.db.admin import drop_database
from tests.processes import ROOT

pytestmark = pytest.mark.slow
COPIED = [
    "app",
    "alembic",
    "tests",
    "scripts",
    "pyproject.toml",
    "alembic.ini",
    ".test.env",
    ".sample.env",
    "README.md",
]
NAME = "inventory_items"


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_new_module_is_ready_to_use(tmp_path: Path, app_config: AppConfig) -> None:
    project = tmp_path / "project"
    project.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", ".ruff_cache")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=ignore)
        else:
            shutil.copy2(source, project / name)
    # mypy's cache from the project's own `make lint`, when there is one: the copy then checks only
    # what the generator wrote, instead of the whole app and its libraries from scratch.
    if (ROOT / ".mypy_cache").is_dir():
        shutil.copytree(ROOT / ".mypy_cache", project / ".mypy_cache")
    url = make_url(app_config.DATABASE_URL)
    database = url.set(database=f"{url.database}_scaffold_test").render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": database, "PYTHONDONTWRITEBYTECODE": "1"}
    python = sys.executable

    generated = run([python, "-m", "app.cli", "new-module", NAME], project, env)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert f"app.{NAME}" in (project / "app" / "modules.py").read_text()
    for path in (
        "routes/v1/items.py",
        "services/items.py",
        "services/factory.py",
        "deps.py",
        "repositories/item.py",
        "models.py",
        "policies/items.py",
        "events.py",
        "listeners.py",
        "tasks.py",
        "emails/templates.py",
        "gateway.py",
        "schemas/item.py",
        "schemas/payloads.py",
    ):
        assert (project / "app" / NAME / path).is_file(), path

    # Wired like auth and chat: one function per service, wrapped by `provide` for routes.
    package = project / "app" / NAME
    assert "Depends(provide(item_service))" in (package / "deps.py").read_text()
    assert "item_service(self.platform)" in (package / "tasks.py").read_text()

    checks = [
        [python, "-m", "ruff", "check", f"app/{NAME}", f"tests/{NAME}", "app/modules.py", "alembic"],
        [
            python,
            "-m",
            "ruff",
            "format",
            "--check",
            f"app/{NAME}",
            f"tests/{NAME}",
            "app/modules.py",
            "alembic",
        ],
        [python, "-m", "mypy", f"app/{NAME}", f"tests/{NAME}"],
        [str(Path(python).parent / "lint-imports")],
        [python, "scripts/check_transactions.py"],
    ]
    try:
        for command in checks:
            result = run(command, project, env)
            assert result.returncode == 0, (command, result.stdout[-3000:], result.stderr[-3000:])
        tests = run(
            [
                python,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                f"tests/{NAME}",
                "tests/test_migrations.py",
            ],
            project,
            env,
        )
        assert tests.returncode == 0, tests.stdout[-4000:]
        assert "passed" in tests.stdout
    finally:
        drop_database(database)
