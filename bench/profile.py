"""`make bench-profile`: where a route spends its time, next to its raw twin (the authenticated
GET unless BENCH_SCENARIO names another scenario with a twin, by a part of its name: "page").

One bench app server with a sampling profiler (bench/profiled_server.py: a sample per
millisecond of the server's CPU), loaded by wrk as `make bench` loads it; the sampler runs only
while each route is measured, the kit's route first, then the twin's. Prints, for each, the
frames by cumulative share of the samples (all, then those under the route's handler: the
route's own work, below the middleware and routing it shares with its twin), and the CPU per
request by package (own time: samples whose innermost Python frame is that package's; a C
function counts for the Python frame that called it; "event loop (C)" is the loop's own code
between callbacks), kit next to twin. Times per request are the shares applied to the server's
CPU time over the window (`/proc`), divided by the requests served. The raw samples are kept in
bench/.results/.

Settings: BENCH_SCENARIO, BENCH_SECONDS (10), BENCH_CONNECTIONS (32), BENCH_TOP (30 frames).
"""

import os
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench import fixtures, wrk
from bench.scenarios import AUTHENTICATED_GET, SCENARIOS
from bench.servers import ROOT, Server, serve

RESULTS = ROOT / "bench" / ".results"
# A sample whose innermost Python frame is the one that runs the event loop is the loop's own C
# code (uvloop's transports, its callback dispatch): no Python frame of a request.
_LOOP_HOST = "/asyncio/runners.py:"
EVENT_LOOP = "event loop (C)"


@dataclass(frozen=True)
class Profiled:
    label: str
    requests: int
    cpu_seconds: float
    # Samples: stack (outermost first) -> count.
    stacks: dict[tuple[str, ...], int]

    @property
    def busy(self) -> int:
        """All samples: each is a millisecond of the server's CPU."""
        return sum(self.stacks.values())

    def us_per_request(self, samples: float) -> float:
        return samples / self.busy * self.cpu_seconds / self.requests * 1e6


def read_samples(path: Path) -> dict[tuple[str, ...], int]:
    stacks: dict[tuple[str, ...], int] = {}
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition("\t")
        frames = tuple(stack.split(";"))
        if _LOOP_HOST in frames[-1]:
            frames = (EVENT_LOOP,)
        stacks[frames] = stacks.get(frames, 0) + int(count)
    return stacks


def package(frame: str) -> str:
    if frame == EVENT_LOOP:
        return frame
    filename = frame.split(":", 1)[0]
    for marker in ("/site-packages/", "/bench/", "/app/"):
        if marker in filename:
            top = filename.split(marker, 1)[1].split("/", 1)[0].removesuffix(".py")
            return {"/bench/": "bench", "/app/": "app"}.get(marker, top)
    if "/lib/python3." in filename:
        rest = filename.split("/lib/python3.", 1)[1].split("/", 1)[-1]
        return "stdlib:" + rest.split("/", 1)[0].removesuffix(".py")
    return filename


def short(frame: str) -> str:
    if frame == EVENT_LOOP:
        return frame
    filename, line, name = frame.split(":", 2)
    return f"{package(frame)}:{Path(filename).name}:{line} {name}"


def profile_route(server: Server, label: str, url: str, headers: dict[str, str], seconds: int) -> Profiled:
    connections = int(os.environ.get("BENCH_CONNECTIONS", "32"))
    wrk.run(url, seconds=2, connections=connections, threads=2, headers=headers)  # warm-up, unsampled
    target_dir = Path(os.environ["BENCH_PROFILE_DIR"])
    before = set(target_dir.iterdir())
    server.process.send_signal(signal.SIGUSR1)
    cpu_before = server.cpu_seconds()
    result = wrk.run(url, seconds=seconds, connections=connections, threads=2, headers=headers)
    cpu = server.cpu_seconds() - cpu_before
    server.process.send_signal(signal.SIGUSR2)
    deadline = time.monotonic() + 60
    while not (written := [p for p in set(target_dir.iterdir()) - before if p.suffix == ".txt"]):
        if time.monotonic() > deadline:
            raise TimeoutError("the profiled server wrote no samples")
        time.sleep(0.2)
    RESULTS.mkdir(exist_ok=True)
    shutil.copy(written[0], RESULTS / f"profile-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{label}.txt")
    return Profiled(label, result.requests, cpu, read_samples(written[0]))


# FastAPI's handler of one route: what is under it is the route's own work (dependencies,
# endpoint, serialization); what is above it, the server, middleware and routing, which a route
# and its twin share.
ROUTE_HANDLER = "get_request_handler.<locals>.app"


def cumulative(profiled: Profiled, *, under_route: bool = False) -> Counter[str]:
    counts: Counter[str] = Counter()
    for stack, count in profiled.stacks.items():
        frames = stack
        if under_route:
            handler = next((i for i, frame in enumerate(stack) if ROUTE_HANDLER in frame), None)
            frames = stack[handler + 1 :] if handler is not None else ()
        for frame in set(frames):
            counts[frame] += count
    return counts


def frame_lines(profiled: Profiled, counts: Counter[str], top: int) -> list[str]:
    return [
        f"{count / profiled.busy:>6.1%} {profiled.us_per_request(count):>7.0f}  {short(frame)}"
        for frame, count in counts.most_common(top)
    ]


def own_by_package(profiled: Profiled) -> Counter[str]:
    counts: Counter[str] = Counter()
    for stack, count in profiled.stacks.items():
        counts[package(stack[-1])] += count
    return counts


def report(kit: Profiled, twin: Profiled, top: int) -> str:
    lines = []
    for profiled in (kit, twin):
        lines += [
            "",
            f"{profiled.label}: {profiled.requests} requests, "
            f"{profiled.cpu_seconds / profiled.requests * 1e6:.0f} us of server CPU per request, "
            f"{profiled.busy} samples",
            f"{'cum %':>6} {'us/req':>7}  frame",
        ]
        lines += frame_lines(profiled, cumulative(profiled), top)
        lines += ["", f"{profiled.label}, under the route's handler ({ROUTE_HANDLER}):"]
        lines += frame_lines(profiled, cumulative(profiled, under_route=True), top)
    kit_own, twin_own = own_by_package(kit), own_by_package(twin)
    names = sorted(set(kit_own) | set(twin_own), key=lambda n: -kit.us_per_request(kit_own[n]))
    lines += ["", f"{'own time per request (us)':<28} {'kit':>6} {'twin':>6} {'extra':>6}"]
    for name in names:
        k, t = kit.us_per_request(kit_own[name]), twin.us_per_request(twin_own[name])
        if max(k, t) >= 10:
            lines.append(f"{name:<28} {k:>6.0f} {t:>6.0f} {k - t:>+6.0f}")
    k_all, t_all = kit.us_per_request(kit.busy), twin.us_per_request(twin.busy)
    lines.append(f"{'all':<28} {k_all:>6.0f} {t_all:>6.0f} {k_all - t_all:>+6.0f}")
    return "\n".join(lines)


def main() -> None:
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    top = int(os.environ.get("BENCH_TOP", "30"))
    env = {"LOG_LEVEL": "WARNING", "ENVIRONMENT": "development", "RATE_LIMITER_ENABLED": "false"}
    wanted = os.environ.get("BENCH_SCENARIO", "").lower()
    paired = [s for s in SCENARIOS if s.twin is not None and wanted and wanted in s.name.lower()]
    scenario = paired[0] if paired else AUTHENTICATED_GET
    assert scenario.twin is not None
    fixtures.create_users()
    try:
        with tempfile.TemporaryDirectory() as directory:
            os.environ["BENCH_PROFILE_DIR"] = directory
            with serve("app", {**env, "BENCH_PROFILE_DIR": directory}, profiled=True) as server:
                fixture = fixtures.sign_in(server.base_url)
                values = {"token": fixture.token, "user_id": str(fixture.user_id)}
                headers = {name: value.format(**values) for name, value in scenario.headers.items()}
                kit_url = server.base_url + scenario.path.format(**values)
                twin_url = server.base_url + scenario.twin.format(**values)
                kit = profile_route(server, "kit", kit_url, headers, seconds)
                twin = profile_route(server, "twin", twin_url, headers, seconds)
    finally:
        fixtures.remove_users()
    print(f"{scenario.name}, sampled, {seconds} s each, Python {sys.version.split()[0]}")
    print(report(kit, twin, top))


if __name__ == "__main__":
    main()
