"""Running wrk and reading its report."""

import re
import subprocess
from dataclasses import dataclass

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class LoadResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


def _latency_ms(report: str, percentile: str) -> float:
    match = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", report, re.MULTILINE)
    if not match:
        raise ValueError(f"no {percentile}% latency in wrk output:\n{report}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse(report: str) -> LoadResult:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", report)
    total = re.search(r"^\s*(\d+) requests in ", report, re.MULTILINE)
    if not rate or not total:
        raise ValueError(f"no Requests/sec or request count in wrk output:\n{report}")
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", report)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report)
    if socket_errors:
        errors += sum(int(value) for value in socket_errors.groups())
    return LoadResult(
        float(rate.group(1)),
        _latency_ms(report, "50"),
        _latency_ms(report, "99"),
        errors,
        int(total.group(1)),
    )


def run(
    url: str,
    *,
    seconds: int,
    connections: int,
    threads: int,
    headers: dict[str, str],
    script: str | None = None,
    timeout: int = 2,
) -> LoadResult:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout}s"]
    command.append("--latency")
    if script:
        command += ["-s", script]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    completed = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    return parse(completed.stdout)
