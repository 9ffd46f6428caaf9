"""Login under concurrency, with authenticated GETs running alongside."""

import os
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


def measure_login_load(base_url: str, fixture: AuthFixture, seconds: int, connections: int) -> LoginLoad:
    get_url = f"{base_url}/api/v1/users/{fixture.user_id}"
    headers = {"Authorization": f"Bearer {fixture.token}"}
    half = max(1, connections // 2)
    unloaded = wrk.run(get_url, seconds=seconds, connections=half, threads=1, headers=headers)
    with ThreadPoolExecutor(max_workers=2) as pool:
        logins = pool.submit(
            wrk.run,
            f"{base_url}/api/v1/auth/login",
            seconds=seconds,
            connections=connections,
            threads=1,
            headers={},
            script=LOGIN_SCRIPT,
        )
        loaded = pool.submit(wrk.run, get_url, seconds=seconds, connections=half, threads=1, headers=headers)
        login_result, loaded_result = logins.result(), loaded.result()
    return LoginLoad(
        logins_per_second=login_result.requests_per_second,
        login_errors=login_result.errors,
        login_p99_ms=login_result.p99_ms,
        hashing_bound=(os.cpu_count() or 1) / fixture.verify_seconds,
        get_p99_unloaded_ms=unloaded.p99_ms,
        get_p99_loaded_ms=loaded_result.p99_ms,
    )
