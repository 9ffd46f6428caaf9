"""The machine's raw password-verification capacity, as a check on the login benchmark's bound.

`python -m bench.hashing_capacity SECONDS` prints the verifications per second of one thread per
core verifying back to back, at normal priority, with the argon2id parameters of the environment
(the servers' own settings), no server and no event loop. The login benchmark runs it with the
servers' interpreter, in its rounds: the hash-only route's rate divided by this one says whether
the server's hashing path (its slots, thread pool and thread priority) uses what the machine can
hash. A bound lowered by a hashing path that wastes the cores shows there, not as a better login
share.
"""

import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from app.auth.config import AuthConfig
from bench.fixtures import PASSWORD, password_hash


def verifies_per_second(seconds: float) -> float:
    """Not cores / one verification's time: argon2id with parallelism > 1 already spreads a single
    verification over several cores (pwdlib's default is 4 lanes)."""
    hasher = password_hash(AuthConfig())
    hashed = hasher.hash(PASSWORD)
    threads = os.cpu_count() or 1
    deadline = time.perf_counter() + seconds

    def verify_until_deadline() -> int:
        done = 0
        while time.perf_counter() < deadline:
            hasher.verify(PASSWORD, hashed)
            done += 1
        return done

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        total = sum(pool.map(lambda _: verify_until_deadline(), range(threads)))
    return total / (time.perf_counter() - started)


if __name__ == "__main__":
    print(f"{verifies_per_second(float(sys.argv[1])):.3f}")
