"""The dependency rule is enforced: on a copy of the project, each planted violation makes the
lint step that owns its rule fail, naming the rule, and the clean copy passes. Plants go into the
copy only, so a failure proves the copy is what the tools analysed.

import-linter (`lint-imports`, its contracts in pyproject.toml) and scripts/check_transactions.py
are the `make lint` steps these rules belong to; ruff and mypy have nothing to say about them.
One copy serves every case: each plant is undone after its run, and import-linter's cache in the
copy keeps a run to the files that changed.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import ROOT

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
LINT_IMPORTS = [str(BIN / "lint-imports"), "--no-logo"]
CHECK_TRANSACTIONS = [sys.executable, "scripts/check_transactions.py"]

BOUNDARIES = "Core imports no feature module; modules meet only through public packages"
LAYERS = "Inside a module, a layer imports only the layers under it"
FRAMEWORK_FREE = "Services, policies, repositories and models import no web framework"
NO_SQL_IN_ROUTES = "Routes run no SQL: they import neither SQLAlchemy nor repositories"
MODULE_CYCLES = "Feature modules do not import each other in a cycle"
CORE_FOUNDATION = "Core's foundation (db, config, settings, log, clock, errors) imports no more of core"
NO_CYCLES = "No import cycle anywhere in app/"
CORE_LAYERS = "Core is layered: entry points, wiring, tasks, the platform, its services, resources"


def run(command: list[str], project: Path) -> subprocess.CompletedProcess[str]:
    # COLUMNS: import-linter wraps its report at the terminal's width, 80 without one.
    env = {**os.environ, "PYTHONPATH": str(project), "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "250"}
    return subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def broken_contracts(output: str) -> set[str]:
    return {line.removesuffix(" BROKEN") for line in output.splitlines() if line.endswith(" BROKEN")}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("lint-rules")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "app", copy / "app", ignore=ignore)
    shutil.copytree(ROOT / "scripts", copy / "scripts", ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def test_the_clean_copy_passes(project: Path) -> None:
    imports = run(LINT_IMPORTS, project)
    assert imports.returncode == 0, imports.stdout + imports.stderr
    transactions = run(CHECK_TRANSACTIONS, project)
    assert transactions.returncode == 0, transactions.stdout + transactions.stderr


# (file, code appended to it, the import-linter contracts it breaks)
IMPORT_VIOLATIONS = {
    "service imports fastapi": ("app/chat/services/storage.py", "import fastapi", {FRAMEWORK_FREE}),
    "service imports starlette": (
        "app/auth/services/tokens.py",
        "from starlette.requests import Request",
        {FRAMEWORK_FREE},
    ),
    "repository imports a service": (
        "app/chat/repositories/room.py",
        "from app.chat.services import rooms",
        {LAYERS, NO_CYCLES},
    ),
    "policy imports deps": ("app/auth/policies/users.py", "from app.auth import deps", {LAYERS, NO_CYCLES}),
    "route imports SQLAlchemy": (
        "app/chat/routes/v1/rooms.py",
        "from sqlalchemy import text",
        {NO_SQL_IN_ROUTES},
    ),
    "route imports a repository": (
        "app/auth/routes/v1/users.py",
        "from app.auth.repositories.user import UserRepository",
        {NO_SQL_IN_ROUTES},
    ),
    "chat imports auth's internals": (
        "app/chat/services/rooms.py",
        "from app.auth.services import users",
        {BOUNDARIES},
    ),
    "auth imports chat while chat imports auth": (
        "app/auth/services/users.py",
        "import app.chat",
        {MODULE_CYCLES, NO_CYCLES},
    ),
    "core imports a module": ("app/core/deps.py", "import app.auth", {BOUNDARIES, NO_CYCLES}),
    "core's db imports its platform": (
        "app/core/db/repository.py",
        "import app.core.platform",
        {CORE_FOUNDATION, CORE_LAYERS, NO_CYCLES},
    ),
    "import cycle inside core": ("app/core/mail/message.py", "import app.core.mail.service", {NO_CYCLES}),
    "core's resources build the platform": (
        "app/core/resources.py",
        "import app.core.platform",
        {CORE_LAYERS, NO_CYCLES},
    ),
}


def run_with(project: Path, relative: str, code: str, command: list[str]) -> subprocess.CompletedProcess[str]:
    """`command` on the copy with `code` appended to one file, which is restored afterwards."""
    path = project / relative
    original = path.read_text()
    path.write_text(f"{original}\n\n{code}\n")
    try:
        return run(command, project)
    finally:
        path.write_text(original)


@pytest.mark.parametrize("case", list(IMPORT_VIOLATIONS))
def test_import_linter_names_the_broken_rule(project: Path, case: str) -> None:
    relative, code, expected = IMPORT_VIOLATIONS[case]
    result = run_with(project, relative, code, LINT_IMPORTS)
    assert result.returncode != 0, result.stdout
    assert broken_contracts(result.stdout) == expected, result.stdout
    assert relative.removesuffix(".py").replace("/", ".") in result.stdout


TRANSACTION_VIOLATIONS = {
    "route commits": (
        "app/chat/routes/v1/rooms.py",
        "async def planted(platform: PlatformDep) -> None:\n    await platform.unit_of_work.commit()",
        "commit outside the unit of work",
    ),
    "route executes SQL": (
        "app/chat/routes/v1/rooms.py",
        "async def planted(platform: PlatformDep) -> None:\n    await platform.session.execute(query)",
        "SQL in a route",
    ),
    "service commits": (
        "app/chat/services/rooms.py",
        "async def planted(session: AsyncSession) -> None:\n    await session.commit()",
        "commit outside the unit of work",
    ),
}


@pytest.mark.parametrize("case", list(TRANSACTION_VIOLATIONS))
def test_transaction_check_names_the_broken_rule(project: Path, case: str) -> None:
    relative, code, expected = TRANSACTION_VIOLATIONS[case]
    result = run_with(project, relative, code, CHECK_TRANSACTIONS)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith(f"{relative}:"), result.stdout
    assert expected in result.stdout
