"""`make bench`: load each scenario with wrk against one uvicorn worker; each database route
against its raw twin (bench/twins.py) in alternating rounds on the same server; print req/s,
latency, errors and server CPU per request, ratios to the hello-world baseline and to each twin,
and the performance targets met or missed.

Settings (environment): BENCH_SECONDS (10), BENCH_CONNECTIONS (32), BENCH_THREADS (2),
BENCH_ROUNDS (3), BENCH_LOG_LEVEL (WARNING), BENCH_ONLY (comma-separated substrings of scenario
names to run, besides the baseline; "queue", "login" or "import" for those benchmarks only),
BENCH_TASKS (2000, for the queue benchmark), BENCH_SERVER_PYTHON (see bench/servers.py).
"""

import importlib.util
import json
import os
import platform
import subprocess
import sys
from dataclasses import asdict
from datetime import UTC, datetime

from bench import fixtures
from bench.auth_load import LoginLoad, measure_login_load
from bench.measure import Load, Paired, Settings, measure, paired
from bench.queue import QueueResult, QueueRounds, measure_queue_rounds
from bench.scenarios import AUTHENTICATED_GET, BASELINE, LIST_PAGE, SCENARIOS, Scenario
from bench.servers import ROOT, SERVER_PYTHON, serve
from bench.startup import import_seconds
from bench.targets import Run, evaluate, render

RESULTS = ROOT / "bench" / ".results"


def setting(name: str, default: str) -> str:
    return os.environ.get(f"BENCH_{name}", default)


class Measured:
    """What the HTTP scenarios gave: single loads, paired loads, login, RSS after the run."""

    def __init__(self) -> None:
        self.single: dict[str, Load] = {}
        self.paired: dict[str, Paired] = {}
        self.rss_mb: dict[str, float] = {}
        self.login: LoginLoad | None = None


def run_servers(scenarios: list[Scenario], settings: Settings, login_load: bool) -> Measured:
    # The rate limiter is off: the scenarios measure the work behind it (login above all).
    env = {
        "LOG_LEVEL": setting("LOG_LEVEL", "WARNING"),
        "ENVIRONMENT": "development",
        "RATE_LIMITER_ENABLED": "false",
    }
    measured = Measured()
    # The login benchmark needs the app server even when no app scenario is selected.
    servers = [scenario.server for scenario in scenarios] + (["app"] if login_load else [])
    for server_name in dict.fromkeys(servers):
        with serve(server_name, env) as server:
            fixture = None
            if server_name == "app":
                fixture = fixtures.sign_in(server.base_url)
            values = {"token": fixture.token, "user_id": str(fixture.user_id)} if fixture else {}
            for scenario in (s for s in scenarios if s.server == server_name):
                url = server.base_url + scenario.path.format(**values)
                headers = {name: value.format(**values) for name, value in scenario.headers.items()}
                if scenario.twin is None:
                    measured.single[scenario.name] = measure(server, url, headers, settings)
                else:
                    twin_url = server.base_url + scenario.twin.format(**values)
                    measured.paired[scenario.name] = paired(server, url, twin_url, headers, settings)
            measured.rss_mb[server_name] = server.rss_mb()
            if fixture is not None and login_load:
                measured.login = measure_login_load(server, {**os.environ, **env}, fixture, settings)
                measured.rss_mb[f"{server_name} after the login load"] = server.rss_mb()
    return measured


def selected(only: list[str], benchmark: str) -> bool:
    return only == [""] or benchmark in only


def production_dependencies() -> bool:
    """Whether the servers' interpreter lacks the dev dependencies (pytest stands for them)."""
    probe = "import importlib.util, sys; sys.exit(importlib.util.find_spec('pytest') is not None)"
    if sys.executable == SERVER_PYTHON:
        return importlib.util.find_spec("pytest") is None
    return subprocess.run([SERVER_PYTHON, "-c", probe], check=False).returncode == 0


HEADER = (
    f"{'scenario':<44} {'req/s':>7} {'/hello':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} "
    f"{'CPU us/req':>10}"
)


def _line(name: str, load: Load, baseline: float) -> str:
    return (
        f"{name:<44} {load.rps:>7.0f} {load.rps / baseline:>7.1%} {load.p50_ms:>7.2f} {load.p99_ms:>7.2f} "
        f"{load.errors:>6} {load.cpu_us:>10.0f}"
    )


def report(measured: Measured, scenarios: list[Scenario], rounds: int) -> str:
    baseline = measured.single[BASELINE.name].rps
    lines = [HEADER]
    for scenario in scenarios:
        if scenario.name in measured.single:
            lines.append(_line(scenario.name, measured.single[scenario.name], baseline))
        elif scenario.name in measured.paired:
            pair = measured.paired[scenario.name]
            lines.append(_line(scenario.name, pair.kit, baseline))
            lines.append(_line("  its raw twin", pair.twin, baseline))
            lines.append(
                f"  kit / twin, median of {rounds} paired rounds: req/s {pair.ratio('rps'):.0%}, "
                f"p50 {pair.ratio('p50_ms'):.2f}x, p99 {pair.ratio('p99_ms'):.2f}x, "
                f"CPU per request {pair.ratio('cpu_us'):.2f}x"
            )
    lines.append("RSS: " + ", ".join(f"{name} {mb:.1f} MB" for name, mb in measured.rss_mb.items()))
    return "\n".join(lines)


def login_line(login: LoginLoad, connections: int, rounds: int) -> str:
    return (
        f"login at c{connections}, median of {rounds} rounds alternating with its hashing bound (the same "
        f"verification alone, bench/login_twin.py): {login.logins_per_second:.1f}/s, bound "
        f"{login.hashing_bound:.1f}/s, login / bound {login.share:.0%}; {login.login_errors} errors "
        f"(bound: {login.bound_errors}), p99 {login.login_p99_ms:.0f} ms; server CPU per login "
        f"{login.cpu_ms_per_login:.0f} ms, per bound request {login.cpu_ms_per_bound:.0f} ms "
        f"(bound / login {login.cpu_share:.0%})\n"
        f"  the bound is {login.bound_share_of_raw:.0%} of the machine's raw verifications "
        f"({login.raw_capacity:.1f}/s, a thread per core outside the server)\n"
        f"  authenticated GET p99 {login.get_p99_unloaded_ms:.1f} ms alone, "
        f"{login.get_p99_loaded_ms:.1f} ms under login load "
        f"({login.get_p99_loaded_ms / login.get_p99_unloaded_ms:.1f}x; "
        f"{login.logins_per_second_with_gets:.1f} logins/s meanwhile)"
    )


def queue_lines(queue: QueueRounds, tasks: int) -> str:
    def rounds(results: list[QueueResult]) -> str:
        return ", ".join(f"{r.completed_per_second:.0f}" for r in results)

    return (
        f"queue, {tasks} no-op tasks, one worker process, {len(queue.kit_rounds)} alternating rounds:\n"
        f"  through the outbox: completed {queue.kit:.0f}/s (rounds: {rounds(queue.kit_rounds)}; "
        f"pushed {queue.kit_rounds[0].pushed_per_second:.0f}/s in the first)\n"
        f"  bare taskiq twin:   completed {queue.twin:.0f}/s (rounds: {rounds(queue.twin_rounds)}; "
        f"pushed {queue.twin_rounds[0].pushed_per_second:.0f}/s in the first)\n"
        f"  kit / twin, median of the paired rounds: {queue.ratio:.0%}"
    )


def main() -> None:
    only = [part.strip().lower() for part in setting("ONLY", "").split(",")]
    scenarios = [s for s in SCENARIOS if s is BASELINE or any(part in s.name.lower() for part in only)]
    settings = Settings(
        seconds=int(setting("SECONDS", "10")),
        connections=int(setting("CONNECTIONS", "32")),
        threads=int(setting("THREADS", "2")),
        rounds=int(setting("ROUNDS", "3")),
    )
    started = datetime.now(UTC)
    login_load = selected(only, "login")
    fixtures.create_users()
    try:
        measured = run_servers(scenarios, settings, login_load)
    finally:
        fixtures.remove_users()
    production = production_dependencies()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    print(
        f"{started:%Y-%m-%d %H:%M} UTC | {platform.node()} | {os.cpu_count()} cores | "
        f"Python {platform.python_version()} | commit {commit or '?'} | servers' dependencies: "
        f"{'production only' if production else 'with dev'} ({SERVER_PYTHON})"
    )
    print(report(measured, scenarios, settings.rounds))
    results: dict[str, object] = {
        "started": started.isoformat(),
        "commit": commit,
        "production_dependencies": production,
        "single": {name: asdict(load) for name, load in measured.single.items()},
        "paired": {name: pair.as_dict() for name, pair in measured.paired.items()},
        "rss_mb": measured.rss_mb,
    }
    if measured.login is not None:
        print(login_line(measured.login, settings.connections, settings.rounds))
        results["login"] = measured.login.as_dict()
    imports = None
    if selected(only, "import"):
        imports = import_seconds("app.main", "fastapi")
        print(
            f"import app.main: {imports[0]:.2f} s; import fastapi alone: {imports[1]:.2f} s (best of 5 each)"
        )
        results["import"] = {"app.main": imports[0], "fastapi": imports[1]}
    queue = None
    if selected(only, "queue"):
        tasks = int(setting("TASKS", "2000"))
        queue = measure_queue_rounds(tasks, settings.rounds)
        print(queue_lines(queue, tasks))
        results["queue"] = {
            "kit_rounds": [asdict(r) for r in queue.kit_rounds],
            "twin_rounds": [asdict(r) for r in queue.twin_rounds],
            "ratio": queue.ratio,
        }
    run = Run(
        authenticated_get=measured.paired.get(AUTHENTICATED_GET.name),
        list_page=measured.paired.get(LIST_PAGE.name),
        queue=queue,
        rss_mb=measured.rss_mb.get("app"),
        rss_after_login_mb=measured.rss_mb.get("app after the login load"),
        production_dependencies=production,
        import_seconds=imports,
        login=measured.login,
    )
    targets = evaluate(run)
    print(render(targets))
    results["targets"] = [asdict(target) for target in targets]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{started:%Y%m%dT%H%M%SZ}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
