"""Starting the servers under test: one uvicorn worker each, on free ports.

BENCH_SERVER_PYTHON names the interpreter that runs them (`make bench`: a virtualenv holding only
the production dependencies, as the Docker image installs them); by default the bench's own.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_PYTHON = os.environ.get("BENCH_SERVER_PYTHON") or sys.executable
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
TARGETS = {
    "hello": ["bench.hello:app"],
    "app": ["bench.app:create_bench_app", "--factory"],
}
READY_PATHS = {"hello": "/", "app": "/health/live"}


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far, user and system (`/proc/<pid>/stat`)."""
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        # Fields after the command name, which is in parentheses and may contain spaces:
        # utime and stime are the 14th and 15th fields of the whole line.
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def wait_until_idle(self, *, window: float = 0.25, busy: float = 0.05, timeout: float = 60.0) -> None:
        """Until the server used less than `busy` of a core over `window` seconds. wrk closes its
        connections at the end of a run, but the server still finishes the requests it accepted:
        32 logins queued for a hashing turn are seconds of work, which would land in the next
        measure (a hash-only round, or the GET p99 "alone")."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            before = self.cpu_seconds()
            time.sleep(window)
            if self.cpu_seconds() - before < busy * window:
                return
        raise TimeoutError(f"{self.name} server still busy after {timeout}s")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_ready(server: Server, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} server exited with {server.process.returncode}")
        try:
            # The URL is built here from a loopback address and a fixed path.
            with urllib.request.urlopen(server.base_url + READY_PATHS[server.name], timeout=1):  # noqa: S310
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{server.name} server did not become ready in {timeout}s")


@contextmanager
def serve(name: str, env: dict[str, str], *, profiled: bool = False) -> Iterator[Server]:
    """`profiled`: under cProfile, switched on and off by signals (bench/profiled_server.py)."""
    port = free_port()
    runner = "bench.profiled_server" if profiled else "uvicorn"
    command = [SERVER_PYTHON, "-m", runner, *TARGETS[name], "--port", str(port), "--workers", "1"]
    command += ["--no-access-log", "--no-proxy-headers", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    server = Server(name, port, process)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
