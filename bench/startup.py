"""Cold import time of the API's composition root, in fresh interpreters (best of several runs:
the noise of a shared machine only ever adds time), with the servers' interpreter."""

import subprocess

from bench.servers import ROOT, SERVER_PYTHON

_PROBE = "import time; started = time.perf_counter(); import {module}; print(time.perf_counter() - started)"


def _once(module: str) -> float:
    completed = subprocess.run(
        [SERVER_PYTHON, "-c", _PROBE.format(module=module)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(completed.stdout.strip())


def import_seconds(
    module: str = "app.main", reference: str = "fastapi", runs: int = 5
) -> tuple[float, float]:
    """(module, reference): `fastapi` alone is the reference, what any FastAPI service pays on this
    machine now; the two alternate, so both see the same moments of the machine."""
    timings: dict[str, list[float]] = {module: [], reference: []}
    for _ in range(runs):
        for name in (module, reference):
            timings[name].append(_once(name))
    return min(timings[module]), min(timings[reference])
