"""Login under concurrency, with authenticated GETs running alongside."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bench import wrk
from bench.fixtures import AuthFixture
from bench.servers import ROOT

LOGIN_SCRIPT = str(ROOT / "bench" / "login.lua")


@dataclass(frozen=True)
class LoginLoad:
    logins_per_second: float
    login_errors: int
    login_p99_ms: float
    hashing_bound: float
    get_p99_unloaded_ms: float
    get_p99_loaded_ms: float
    logins_per_second_with_gets: float


def _logins(base_url: str, seconds: int, connections: int) -> wrk.LoadResult:
    return wrk.run(
        f"{base_url}/api/v1/auth/login",
        seconds=seconds,
        connections=connections,
        threads=1,
        headers={},
        script=LOGIN_SCRIPT,
        # Saturated, a login waits connections / throughput (32 / ~16 per s = 2 s, Little's law)
        # whatever the server does; wrk's default 2 s timeout would count those waits as errors.
        timeout=10,
    )


def measure_login_load(base_url: str, fixture: AuthFixture, seconds: int, connections: int) -> LoginLoad:
    """Login throughput alone at `connections`; then authenticated GETs (half as many
    connections) alone and while the same login load runs."""
    get_url = f"{base_url}/api/v1/users/{fixture.user_id}"
    headers = {"Authorization": f"Bearer {fixture.token}"}
    half = max(1, connections // 2)
    alone = _logins(base_url, seconds, connections)
    unloaded = wrk.run(get_url, seconds=seconds, connections=half, threads=1, headers=headers)
    with ThreadPoolExecutor(max_workers=2) as pool:
        logins = pool.submit(_logins, base_url, seconds, connections)
        loaded = pool.submit(wrk.run, get_url, seconds=seconds, connections=half, threads=1, headers=headers)
        with_gets, loaded_result = logins.result(), loaded.result()
    return LoginLoad(
        logins_per_second=alone.requests_per_second,
        login_errors=alone.errors + with_gets.errors,
        login_p99_ms=alone.p99_ms,
        hashing_bound=fixture.hashing_capacity,
        get_p99_unloaded_ms=unloaded.p99_ms,
        get_p99_loaded_ms=loaded_result.p99_ms,
        logins_per_second_with_gets=with_gets.requests_per_second,
    )
