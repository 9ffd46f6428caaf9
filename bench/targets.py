"""The performance targets, read from one run: each route against its raw twin (medians of the
paired rounds), the queue against its bare twin, memory, import time and login under load."""

from dataclasses import dataclass

from bench.auth_load import LoginLoad
from bench.measure import Paired
from bench.queue import QueueRounds


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    met: bool | None  # None: not measured in this run


@dataclass(frozen=True)
class Run:
    authenticated_get: Paired | None
    list_page: Paired | None
    queue: QueueRounds | None
    # After the route scenarios; and after the login load too, when it ran (argon2's working
    # memory, 64 MiB a hash, may stay with the process).
    rss_mb: float | None
    rss_after_login_mb: float | None
    production_dependencies: bool
    import_seconds: tuple[float, float] | None
    login: LoginLoad | None


def _route(name: str, pair: Paired | None, *, cpu: bool) -> list[Target]:
    if pair is None:
        return [Target(f"{name}: not measured", "", None)]
    rps, p99, cpu_ratio = pair.ratio("rps"), pair.ratio("p99_ms"), pair.ratio("cpu_us")
    targets = [
        Target(
            f"{name} >= 70% of its twin's req/s",
            f"{rps:.0%} ({pair.kit.rps:.0f} / {pair.twin.rps:.0f})",
            rps >= 0.70,
        ),
        Target(
            f"{name} p99 <= 1.5x its twin's",
            f"{p99:.2f}x ({pair.kit.p99_ms:.1f} / {pair.twin.p99_ms:.1f} ms)",
            p99 <= 1.5,
        ),
    ]
    if cpu:
        targets.insert(
            1,
            Target(
                f"{name} server CPU per request <= 1.4x its twin's",
                f"{cpu_ratio:.2f}x ({pair.kit.cpu_us:.0f} / {pair.twin.cpu_us:.0f} us)",
                cpu_ratio <= 1.4,
            ),
        )
    return targets


def evaluate(run: Run) -> list[Target]:
    targets = _route("authenticated GET", run.authenticated_get, cpu=True)
    targets += _route("list page + count", run.list_page, cpu=False)
    if run.queue is not None:
        queue = run.queue
        targets += [
            Target(
                "queue: outbox task >= 60% of the bare taskiq twin",
                f"{queue.ratio:.0%} ({queue.kit:.0f} / {queue.twin:.0f} tasks/s)",
                queue.ratio >= 0.60,
            ),
            Target("queue: >= 500 tasks/s with one worker", f"{queue.kit:.0f} tasks/s", queue.kit >= 500),
        ]
    if run.rss_mb is not None:
        measured = f"{run.rss_mb:.1f} MB after the route scenarios"
        if run.rss_after_login_mb is not None:
            measured += f", {run.rss_after_login_mb:.1f} MB after the login load"
        if run.production_dependencies:
            targets.append(Target("API RSS <= 120 MB after the run", measured, run.rss_mb <= 120))
        else:
            targets.append(
                Target(
                    "API RSS <= 120 MB after the run (production dependencies)",
                    f"{measured}, with the dev dependencies: not the measure (make bench)",
                    None,
                )
            )
    if run.import_seconds is not None:
        app_seconds, fastapi_seconds = run.import_seconds
        ratio = app_seconds / fastapi_seconds
        targets.append(
            Target(
                "import app.main <= 2.5x import fastapi",
                f"{ratio:.2f}x ({app_seconds:.2f} / {fastapi_seconds:.2f} s)",
                ratio <= 2.5,
            )
        )
    if run.login is not None:
        login = run.login
        growth = login.get_p99_loaded_ms / login.get_p99_unloaded_ms
        targets += [
            Target(
                "login >= 90% of the hashing bound, 0 errors at c32",
                f"{login.share:.0%} ({login.logins_per_second:.1f} / {login.hashing_bound:.1f}/s, "
                f"median of the rounds), {login.login_errors} errors",
                login.share >= 0.90 and login.login_errors == 0,
            ),
            Target(
                "GET p99 under login load <= 2x unloaded",
                f"{growth:.1f}x ({login.get_p99_loaded_ms:.1f} / {login.get_p99_unloaded_ms:.1f} ms)",
                growth <= 2.0,
            ),
        ]
    return targets


def render(targets: list[Target]) -> str:
    width = max(len(t.name) for t in targets)
    lines = [f"{'target':<{width}}  {'met':<6} this run"]
    for target in targets:
        met = "n/a" if target.met is None else ("yes" if target.met else "MISSED")
        lines.append(f"{target.name:<{width}}  {met:<6} {target.measured}")
    return "\n".join(lines)
