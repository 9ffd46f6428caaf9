"""The TypeScript client in clients/typescript: generated from the current schema (`make client`),
compiling with tsc, and working against a live API (clients/typescript/smoke.ts run with Node).

The Node tools (package-lock.json) are installed by `make test` / `make client` (npm ci)."""

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Text, cast, create_engine, delete, select

from app.auth.models import User
from app.chat.models import Room
from app.core.config import AppConfig
from app.core.outbox import OutboxMessage
from tests.processes import ROOT, api_server

pytestmark = pytest.mark.slow

CLIENT = ROOT / "clients/typescript"
TOOLS = ROOT / "node_modules/.bin"


@pytest.fixture(scope="module")
def tools() -> Path:
    if not (TOOLS / "openapi-ts").exists() or not (TOOLS / "tsc").exists():
        pytest.fail("the Node tools are missing: `make test` or `make client` installs them (npm ci)")
    return TOOLS


def run(command: list[str | Path], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def files(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): path.read_text() for path in folder.rglob("*") if path.is_file()}


def test_the_committed_client_is_generated_from_the_current_schema(tools: Path, tmp_path: Path) -> None:
    schema, output = tmp_path / "openapi.json", tmp_path / "src"
    dumped = run([sys.executable, "-m", "app.cli", "openapi", "--output", schema])
    assert dumped.returncode == 0, dumped.stderr
    generated = run(
        [tools / "openapi-ts", "--file", CLIENT / "openapi-ts.config.ts", "--silent"],
        env={"CLIENT_SCHEMA": str(schema), "CLIENT_OUTPUT": str(output)},
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    fresh, committed = files(output), files(CLIENT / "src")
    stale = sorted(name for name in fresh.keys() | committed.keys() if fresh.get(name) != committed.get(name))
    assert stale == [], "clients/typescript/src is out of date: run `make client` and commit it"


def test_the_client_and_the_smoke_script_compile(tools: Path) -> None:
    compiled = run([tools / "tsc", "--project", CLIENT / "tsconfig.json", "--noEmit"])
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr


@pytest.fixture
def smoke_username(app_config: AppConfig) -> Iterator[str]:
    """A fresh account name; what the smoke run creates under it is deleted afterwards."""
    username = f"smoke{uuid.uuid4().hex[:12]}"
    yield username
    database = create_engine(app_config.DATABASE_URL)
    with database.begin() as connection:
        user_ids = select(User.id).where(User.username == username).scalar_subquery()
        connection.execute(delete(Room).where(Room.owner_id == user_ids))
        connection.execute(delete(OutboxMessage).where(cast(OutboxMessage.payload, Text).contains(username)))
        connection.execute(delete(User).where(User.username == username))
    database.dispose()


def test_the_smoke_script_drives_a_live_api_through_the_client(
    tools: Path, tmp_path: Path, smoke_username: str
) -> None:
    build = tmp_path / "build"
    compiled = run([tools / "tsc", "--project", CLIENT / "tsconfig.json", "--outDir", build])
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    with api_server({}) as base_url:
        smoke = run(["node", build / "smoke.js", base_url, smoke_username])
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    created = json.loads(smoke.stdout.strip().splitlines()[-1])
    assert set(created) == {"user_id", "room_id", "message_id"}
    assert all(isinstance(value, int) for value in created.values())
