"""`make bench`: load each scenario with wrk against one uvicorn worker and print ratios to the
hello-world baseline measured in the same run.

Settings (environment): BENCH_SECONDS (10), BENCH_CONNECTIONS (32), BENCH_THREADS (2),
BENCH_LOG_LEVEL (WARNING), BENCH_ONLY (comma-separated substrings of scenario names to run, besides
the baseline; "queue", "login" or "import" for those benchmarks only), BENCH_TASKS (2000, for the
queue benchmark).
"""

import json
import os
import platform
from datetime import UTC, datetime

from bench import fixtures, wrk
from bench.auth_load import LoginLoad, measure_login_load
from bench.queue import measure_queue
from bench.scenarios import BASELINE, SCENARIOS, Scenario
from bench.servers import ROOT, serve
from bench.startup import import_seconds

RESULTS = ROOT / "bench" / ".results"


def setting(name: str, default: str) -> str:
    return os.environ.get(f"BENCH_{name}", default)


def measure(scenarios: list[Scenario], login_load: bool) -> tuple[list[dict[str, object]], LoginLoad | None]:
    seconds = int(setting("SECONDS", "10"))
    connections = int(setting("CONNECTIONS", "32"))
    threads = int(setting("THREADS", "2"))
    # The rate limiter is off: the scenarios measure the work behind it (login above all).
    env = {
        "LOG_LEVEL": setting("LOG_LEVEL", "WARNING"),
        "ENVIRONMENT": "development",
        "RATE_LIMITER_ENABLED": "false",
    }
    rows: list[dict[str, object]] = []
    login: LoginLoad | None = None
    # The login benchmark needs the app server even when no app scenario is selected.
    servers = [scenario.server for scenario in scenarios] + (["app"] if login_load else [])
    for server_name in dict.fromkeys(servers):
        with serve(server_name, env) as server:
            fixture = fixtures.sign_in(server.base_url) if server_name == "app" else None
            values = {"token": fixture.token, "user_id": str(fixture.user_id)} if fixture else {}
            for scenario in (s for s in scenarios if s.server == server_name):
                url = server.base_url + scenario.path.format(**values)
                headers = {name: value.format(**values) for name, value in scenario.headers.items()}
                for duration in (2, seconds):  # a warm-up (imports, pools, caches), then the measure
                    result = wrk.run(
                        url, seconds=duration, connections=connections, threads=threads, headers=headers
                    )
                rows.append(
                    {
                        "scenario": scenario.name,
                        "rps": result.requests_per_second,
                        "p50_ms": result.p50_ms,
                        "p99_ms": result.p99_ms,
                        "errors": result.errors,
                        "rss_mb": server.rss_mb(),
                    }
                )
            if fixture is not None and login_load:
                login = measure_login_load(server.base_url, fixture, seconds, connections)
    return rows, login


def selected(only: list[str], benchmark: str) -> bool:
    return only == [""] or benchmark in only


def report(rows: list[dict[str, object]]) -> str:
    baseline = next(float(str(row["rps"])) for row in rows if row["scenario"] == BASELINE.name)
    lines = [
        f"{'scenario':<42} {'req/s':>9} {'ratio':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'RSS MB':>7}",
    ]
    for row in rows:
        rps = float(str(row["rps"]))
        lines.append(
            f"{row['scenario']!s:<42} {rps:>9.0f} {rps / baseline:>7.1%} {row['p50_ms']:>8.2f} "
            f"{row['p99_ms']:>8.2f} {row['errors']:>7} {row['rss_mb']:>7.1f}"
        )
    return "\n".join(lines)


def main() -> None:
    only = [part.strip().lower() for part in setting("ONLY", "").split(",")]
    scenarios = [s for s in SCENARIOS if s is BASELINE or any(part in s.name.lower() for part in only)]
    fixtures.create_users()
    try:
        rows, login = measure(scenarios, login_load=selected(only, "login"))
    finally:
        fixtures.remove_users()
    print(f"{platform.node()} | {os.cpu_count()} cores | Python {platform.python_version()}")
    print(report(rows))
    if login is not None:
        print(
            f"login at c{setting('CONNECTIONS', '32')}: {login.logins_per_second:.1f}/s "
            f"({login.logins_per_second / login.hashing_bound:.0%} of the hashing bound "
            f"{login.hashing_bound:.1f}/s, verifies/s with a thread per core), {login.login_errors} errors, "
            f"p99 {login.login_p99_ms:.0f} ms; authenticated GET p99 "
            f"{login.get_p99_unloaded_ms:.1f} ms alone, "
            f"{login.get_p99_loaded_ms:.1f} ms under login load "
            f"({login.get_p99_loaded_ms / login.get_p99_unloaded_ms:.1f}x; "
            f"{login.logins_per_second_with_gets:.1f} logins/s meanwhile)"
        )
        rows.append({"scenario": "login", **vars(login)})
    if selected(only, "import"):
        seconds, reference = import_seconds("app.main"), import_seconds("fastapi")
        print(f"import app.main: {seconds:.2f} s; import fastapi alone: {reference:.2f} s (best of 5 each)")
        rows.append({"scenario": "import app.main", "seconds": seconds, "fastapi_seconds": reference})
    if selected(only, "queue"):
        queue = measure_queue(int(setting("TASKS", "2000")))
        print(
            f"queue: {queue.tasks} no-op tasks through the outbox, one worker process: "
            f"pushed {queue.pushed_per_second:.0f}/s, completed {queue.completed_per_second:.0f}/s"
        )
        rows.append({"scenario": "queue", **vars(queue)})
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
