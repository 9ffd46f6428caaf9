"""Login under concurrency against its hashing bound, with authenticated GETs running alongside.

The bound is the hash-only route of bench/login_twin.py: the same form, the same password
verification through the app's own hasher (argon2id parameters, slots, thread pool, thread
priority), in the same server process, loaded by the same wrk command. Login and bound run back
to back in alternating rounds, so both see the machine at the same minutes (on a shared machine
the rate of either moved by half from one minute to the next); the share is the median of each
round's login / bound. Each round also measures the machine's raw verification capacity outside
the server (bench/hashing_capacity.py, the servers' interpreter): the bound divided by it says
whether the server's hashing path uses the cores, so that the bound cannot be met by lowering it.
"""

import statistics
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

from bench import wrk
from bench.fixtures import AuthFixture
from bench.measure import Settings
from bench.servers import ROOT, SERVER_PYTHON, Server

LOGIN_SCRIPT = str(ROOT / "bench" / "login.lua")
LOGIN_PATH = "/api/v1/auth/login"
BOUND_PATH = "/bench/twin/login"
PATHS = {"login": LOGIN_PATH, "bound": BOUND_PATH}
RAW_SECONDS = 3


@dataclass(frozen=True)
class LoginRound:
    logins_per_second: float
    bound_per_second: float
    raw_per_second: float
    login_errors: int
    bound_errors: int
    login_p99_ms: float
    # Server CPU (/proc) over each wrk window, per request served.
    cpu_ms_per_login: float
    cpu_ms_per_bound: float


@dataclass(frozen=True)
class LoginLoad:
    rounds: list[LoginRound]
    get_p99_unloaded_ms: float
    get_p99_loaded_ms: float
    logins_per_second_with_gets: float
    errors_with_gets: int

    def _median(self, value: Callable[[LoginRound], float]) -> float:
        return float(statistics.median(value(r) for r in self.rounds))

    @property
    def logins_per_second(self) -> float:
        return self._median(lambda r: r.logins_per_second)

    @property
    def hashing_bound(self) -> float:
        return self._median(lambda r: r.bound_per_second)

    @property
    def raw_capacity(self) -> float:
        return self._median(lambda r: r.raw_per_second)

    @property
    def share(self) -> float:
        """Median over rounds of login / bound, each round's pair measured back to back."""
        return self._median(lambda r: r.logins_per_second / r.bound_per_second)

    @property
    def cpu_share(self) -> float:
        """Median over rounds of the bound's server CPU per request / a login's: the share of a
        login's CPU that is its hashing, steadier than the rates on a loaded machine."""
        return self._median(lambda r: r.cpu_ms_per_bound / r.cpu_ms_per_login)

    @property
    def bound_share_of_raw(self) -> float:
        return self._median(lambda r: r.bound_per_second / r.raw_per_second)

    @property
    def login_errors(self) -> int:
        return sum(r.login_errors for r in self.rounds) + self.errors_with_gets

    @property
    def bound_errors(self) -> int:
        return sum(r.bound_errors for r in self.rounds)

    @property
    def login_p99_ms(self) -> float:
        return self._median(lambda r: r.login_p99_ms)

    @property
    def cpu_ms_per_login(self) -> float:
        return self._median(lambda r: r.cpu_ms_per_login)

    @property
    def cpu_ms_per_bound(self) -> float:
        return self._median(lambda r: r.cpu_ms_per_bound)

    def as_dict(self) -> dict[str, object]:
        names = ["logins_per_second", "hashing_bound", "raw_capacity", "share", "cpu_share"]
        names += ["bound_share_of_raw", "login_errors", "bound_errors", "login_p99_ms"]
        names += ["cpu_ms_per_login", "cpu_ms_per_bound"]
        return {
            "rounds": [asdict(r) for r in self.rounds],
            **{name: getattr(self, name) for name in names},
            "get_p99_unloaded_ms": self.get_p99_unloaded_ms,
            "get_p99_loaded_ms": self.get_p99_loaded_ms,
            "logins_per_second_with_gets": self.logins_per_second_with_gets,
        }


def _posts(base_url: str, path: str, seconds: int, connections: int) -> wrk.LoadResult:
    return wrk.run(
        f"{base_url}{path}",
        seconds=seconds,
        connections=connections,
        threads=1,
        headers={},
        script=LOGIN_SCRIPT,
        # Saturated, a login waits connections / throughput (32 / ~8 per s = 4 s, Little's law)
        # whatever the server does; wrk's default 2 s timeout would count those waits as errors.
        timeout=10,
    )


def _load(server: Server, path: str, seconds: int, connections: int) -> tuple[wrk.LoadResult, float]:
    """wrk's result and the server's CPU ms per request over wrk's window; then waits for the
    server to finish what wrk left queued (the next measure starts on an idle server)."""
    before = server.cpu_seconds()
    result = _posts(server.base_url, path, seconds, connections)
    cpu = server.cpu_seconds() - before
    server.wait_until_idle()
    return result, cpu / max(result.requests, 1) * 1e3


def raw_capacity(seconds: int, env: dict[str, str]) -> float:
    """bench/hashing_capacity.py in the servers' interpreter and environment."""
    command = [SERVER_PYTHON, "-m", "bench.hashing_capacity", str(seconds)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def login_round(server: Server, env: dict[str, str], settings: Settings, number: int) -> LoginRound:
    """Login, bound, bound, login (bound, login, login, bound in odd rounds): a drift of the
    machine's load across the round weighs on both alike. Then the raw capacity, shorter: it
    only checks the bound."""
    order = ["login", "bound", "bound", "login"] if number % 2 == 0 else ["bound", "login", "login", "bound"]
    loads: dict[str, list[tuple[wrk.LoadResult, float]]] = {"login": [], "bound": []}
    for step in order:
        loads[step].append(_load(server, PATHS[step], settings.seconds, settings.connections))
    logins, bounds = (_sum(loads[step]) for step in ("login", "bound"))
    return LoginRound(
        logins_per_second=logins.per_second,
        bound_per_second=bounds.per_second,
        raw_per_second=raw_capacity(RAW_SECONDS, env),
        login_errors=logins.errors,
        bound_errors=bounds.errors,
        login_p99_ms=logins.p99_ms,
        cpu_ms_per_login=logins.cpu_ms,
        cpu_ms_per_bound=bounds.cpu_ms,
    )


@dataclass(frozen=True)
class _Summed:
    per_second: float
    errors: int
    p99_ms: float  # the worse of the windows
    cpu_ms: float  # per request, over both windows


def _sum(windows: list[tuple[wrk.LoadResult, float]]) -> _Summed:
    requests = sum(result.requests for result, _ in windows)
    seconds = sum(result.requests / result.requests_per_second for result, _ in windows if result.requests)
    return _Summed(
        per_second=requests / seconds if seconds else 0.0,
        errors=sum(result.errors for result, _ in windows),
        p99_ms=max(result.p99_ms for result, _ in windows),
        cpu_ms=sum(cpu * result.requests for result, cpu in windows) / max(requests, 1),
    )


def measure_login_load(
    server: Server, env: dict[str, str], fixture: AuthFixture, settings: Settings
) -> LoginLoad:
    """`settings.rounds` of login / bound / raw capacity at `settings.connections`; then
    authenticated GETs (half as many connections) alone and while the same login load runs."""
    seconds, connections = settings.seconds, settings.connections
    _load(server, BOUND_PATH, 2, connections)  # warm-up: the bound's stored hash, the thread pool
    measured = [login_round(server, env, settings, number) for number in range(settings.rounds)]
    get_url = f"{server.base_url}/api/v1/users/{fixture.user_id}"
    headers = {"Authorization": f"Bearer {fixture.token}"}
    half = max(1, connections // 2)
    unloaded = wrk.run(get_url, seconds=seconds, connections=half, threads=1, headers=headers)
    with ThreadPoolExecutor(max_workers=2) as pool:
        logins = pool.submit(_posts, server.base_url, LOGIN_PATH, seconds, connections)
        loaded = pool.submit(wrk.run, get_url, seconds=seconds, connections=half, threads=1, headers=headers)
        with_gets, loaded_result = logins.result(), loaded.result()
    server.wait_until_idle()
    return LoginLoad(
        rounds=measured,
        get_p99_unloaded_ms=unloaded.p99_ms,
        get_p99_loaded_ms=loaded_result.p99_ms,
        logins_per_second_with_gets=with_gets.requests_per_second,
        errors_with_gets=with_gets.errors,
    )
