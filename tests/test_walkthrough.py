"""The README's "Your first ten minutes", run as written: `make run`, then each command of the
section in a shell, with the token the verification email printed in `make run`'s output.

Only the port changes (the test's own, not 8000) and the token placeholder is filled in."""

import json
import os
import re
import signal
import subprocess
import urllib.request
import uuid

import pytest
from sqlalchemy import Engine, Text, cast, create_engine, delete, select

from app.auth.models import User
from app.chat.models import Member, Room
from app.core.config import AppConfig
from app.core.outbox import OutboxMessage
from tests.core.health.test_health import closed_port
from tests.processes import ROOT, spawn
from tests.test_run import ready, wait_until

pytestmark = pytest.mark.slow

README = ROOT / "README.md"
EMAIL, USERNAME = "ada@example.com", "ada"
TOKEN_LINE = re.compile(r"^TOKEN=.*$", re.MULTILINE)
PRINTED_LINK = re.compile(r"http://127\.0\.0\.1:\d+/api/v1/auth/pages/verify-email#token=([A-Za-z0-9_-]+)")


def walkthrough_commands() -> list[str]:
    text = README.read_text()
    section = text.split("## Your first ten minutes", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)


def forget_ada(engine: Engine) -> None:
    with engine.begin() as connection:
        user_id = connection.scalar(select(User.id).where(User.email == EMAIL))
        if user_id is not None:
            connection.execute(delete(Member).where(Member.user_id == user_id))
            connection.execute(delete(Room).where(Room.owner_id == user_id))
            connection.execute(delete(User).where(User.id == user_id))
        connection.execute(delete(OutboxMessage).where(cast(OutboxMessage.payload, Text).contains(EMAIL)))


def shell(command: str, port: int) -> str:
    completed = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command.replace("127.0.0.1:8000", f"127.0.0.1:{port}")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_the_first_ten_minutes_work_as_written(app_config: AppConfig) -> None:
    start, register, verify, log_in = walkthrough_commands()
    assert start.strip() == "make run"
    port = closed_port()
    env = {
        "DATABASE_URL": app_config.DATABASE_URL,
        "REDIS_URL": app_config.REDIS_URL,
        "QUEUE_BROKER": "redis",
        "QUEUE_NAME": f"tasks-walkthrough-{uuid.uuid4().hex[:8]}",
        "MAIL_BACKEND": "console",
        # As in a fresh checkout: no front end, so links lead to the API's pages (make run points
        # them at the port it serves on).
        "FRONTEND_URL": "",
        "PUBLIC_API_URL": "",
    }
    database = create_engine(app_config.DATABASE_URL)
    forget_ada(database)
    run = spawn(["make", "run", f"PORT={port}"], env)
    try:
        wait_until(lambda: ready(port), timeout=90)
        wait_until(lambda: any("worker startup" in line for line in run.lines))

        registered = json.loads(shell(register, port))
        assert (registered["username"], registered["email_verified"]) == (USERNAME, False)

        wait_until(lambda: any(PRINTED_LINK.search(line) for line in run.lines))
        [token] = {match.group(1) for line in run.lines if (match := PRINTED_LINK.search(line))}
        verified = json.loads(shell(TOKEN_LINE.sub(f"TOKEN='{token}'", verify, count=1), port))
        assert (verified["username"], verified["email_verified"]) == (USERNAME, True)

        profile_line, room_line = shell(log_in, port).strip().splitlines()
        profile, room = json.loads(profile_line), json.loads(room_line)
        assert (profile["username"], profile["email_verified"]) == (USERNAME, True)
        assert room["name"] == "lobby"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/chat/demo", timeout=5) as demo:
            assert demo.status == 200
            assert b"<html" in demo.read().lower()
    finally:
        os.killpg(run.popen.pid, signal.SIGINT)  # Ctrl-C, as the README says
        run.popen.wait(timeout=30)
        forget_ada(database)
        database.dispose()
