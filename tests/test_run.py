"""`make run` as a developer uses it: the API, a worker and the scheduler from one Procfile, an
email queued from the CLI printed by the console backend in the run's output, Ctrl-C stops all."""

import os
import signal
import subprocess
import time
import urllib.request
import uuid

import pytest
from sqlalchemy import Text, cast, create_engine, delete

from app.core.config import AppConfig
from app.core.outbox import OutboxMessage
from tests.core.health.test_health import closed_port
from tests.processes import ROOT, spawn

pytestmark = pytest.mark.slow


def wait_until(check: object, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise TimeoutError("condition not met in time")


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def test_run_starts_api_worker_and_scheduler(app_config: AppConfig) -> None:
    port, recipient = closed_port(), f"run-{uuid.uuid4().hex[:8]}@example.com"
    env = {
        "API_PORT": str(port),
        "DATABASE_URL": app_config.DATABASE_URL,
        "REDIS_URL": app_config.REDIS_URL,
        "QUEUE_BROKER": "redis",
        "QUEUE_NAME": f"tasks-run-{uuid.uuid4().hex[:8]}",
        "MAIL_BACKEND": "console",
    }
    run = spawn([str(ROOT / ".venv/bin/honcho"), "--procfile", "Procfile", "start"], env)
    honcho, lines = run.popen, run.lines
    try:
        wait_until(lambda: ready(port))
        wait_until(lambda: any("worker startup" in line for line in lines))
        for name in ("api", "worker", "scheduler"):
            assert any(f"{name}.1 started" in line for line in lines), name

        queued = subprocess.run(
            [str(ROOT / ".venv/bin/python"), "-m", "app.cli", "send-test-email", recipient],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert "queued as outbox message" in queued.stdout
        wait_until(lambda: any(f"To: {recipient}" in line for line in lines))
        assert any("worker.1" in line and "Subject: Test email" in line for line in lines)
    finally:
        os.killpg(honcho.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
        honcho.wait(timeout=30)
        database = create_engine(app_config.DATABASE_URL)
        with database.begin() as connection:
            connection.execute(
                delete(OutboxMessage).where(cast(OutboxMessage.payload, Text).contains(recipient))
            )
        database.dispose()
    for name in ("api", "worker", "scheduler"):
        assert any(f"{name}.1 stopped" in line for line in lines), "\n".join(lines[-30:])
    leftovers = subprocess.run(["pgrep", "-s", str(honcho.pid)], capture_output=True, text=True, check=False)
    assert leftovers.stdout.strip() == ""
