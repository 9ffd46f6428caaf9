"""Real processes for end-to-end tests: taskiq workers started by the test, stopped or killed by it."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from app.core.config import AppConfig
from app.core.resources import Resources, current_resources
from tests.conftest import build_app

ROOT = Path(__file__).resolve().parent.parent
# As the Procfile runs it: concurrency within the database pool, so no task waits for a connection.
BIND_ATTEMPTS = 3
WORKER_OPTIONS = ["--workers", "1", "--max-async-tasks", "10"]


@dataclass
class Process:
    popen: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for_line(self, needle: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(needle in line for line in self.lines):
                return
            if self.popen.poll() is not None:
                break
            time.sleep(0.05)
        raise TimeoutError(f"{needle!r} not seen; process output:\n{self.output()[-4000:]}")

    def kill(self) -> None:
        """SIGKILL the whole process group: no cleanup, no acknowledgement, like a crashed host."""
        os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.reader is not None:
            # Its last lines are still in the pipe when it exits.
            self.reader.join(timeout=10)


def spawn(command: list[str], env: dict[str, str]) -> Process:
    """Start `command` in its own process group, collecting its output lines as they come."""
    popen = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    process = Process(popen)

    def read() -> None:
        assert popen.stdout is not None
        for line in popen.stdout:
            process.lines.append(line.rstrip())

    process.reader = threading.Thread(target=read, daemon=True)
    process.reader.start()
    return process


@contextmanager
def worker(env: dict[str, str]) -> Iterator[Process]:
    """A worker with one worker process, as `make run` starts it, of the installed modules and
    the example module (tests/worker.py)."""
    command = [sys.executable, "-m", "app.cli", "worker", "--broker", "tests.worker:broker", *WORKER_OPTIONS]
    process = spawn(command, env)
    try:
        process.wait_for_line("worker startup")
        yield process
    finally:
        process.stop()


def worker_env(config: AppConfig, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": config.DATABASE_URL,
        "REDIS_URL": config.REDIS_URL,
        "QUEUE_BROKER": "redis",
        "QUEUE_NAME": config.QUEUE_NAME,
        "QUEUE_IDLE_TIMEOUT_MS": str(config.QUEUE_IDLE_TIMEOUT_MS),
        "LOG_FORMAT": "json",
        **extra,
    }


@asynccontextmanager
async def api(config: AppConfig) -> AsyncIterator[tuple[httpx.AsyncClient, Resources]]:
    """The API in this process with real transactions (no test overrides)."""
    application = build_app(config)
    async with LifespanManager(application) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, current_resources()


async def eventually(check: Callable[[], Awaitable[Any]], seconds: float = 30.0) -> Any:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        value = await check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.1)


@contextmanager
def api_server(env: dict[str, str]) -> Iterator[str]:
    """The API under uvicorn in its own process, as deployed; yields its base URL."""
    with api_process(env) as (base_url, _):
        yield base_url


@contextmanager
def api_process(env: dict[str, str]) -> Iterator[tuple[str, Process]]:
    """As api_server, and the process too (to signal it)."""
    for attempt in range(BIND_ATTEMPTS):
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        # As deployed: the CLI's serve command (uvicorn with the kit's settings, from `env`), told
        # its own address for the links it mails (unless `env` names another).
        command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
        process = spawn(command, {"PUBLIC_API_URL": base_url, **env})
        try:
            # Logged once the socket listens ("Application startup complete" comes before the bind).
            process.wait_for_line("Uvicorn running on")
        except TimeoutError:
            process.stop()
            # The port was free when picked and taken before uvicorn bound it (another test's
            # process): pick another. Any other failure is the test's.
            if "address already in use" in process.output() and attempt + 1 < BIND_ATTEMPTS:
                continue
            raise
        try:
            yield base_url, process
        finally:
            process.stop()
        return


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
