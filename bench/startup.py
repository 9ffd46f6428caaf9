"""Cold import time of the API's composition root, in fresh interpreters (best of several runs:
the noise of a shared machine only ever adds time)."""

import subprocess
import sys

from bench.servers import ROOT

_PROBE = "import time; started = time.perf_counter(); import {module}; print(time.perf_counter() - started)"


def import_seconds(module: str = "app.main", runs: int = 5) -> float:
    """`fastapi` alone is the reference: what any FastAPI service pays, on this machine, now."""
    timings = []
    for _ in range(runs):
        completed = subprocess.run(
            [sys.executable, "-c", _PROBE.format(module=module)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        timings.append(float(completed.stdout.strip()))
    return min(timings)
