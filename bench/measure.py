"""One load on a server: wrk's numbers and the server's CPU time per request over the window;
and rounds of a route against its raw twin."""

import statistics
from dataclasses import asdict, dataclass

from bench import wrk
from bench.servers import Server


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    # Server CPU (user + system, /proc) over the measured window, per request served.
    cpu_us: float


@dataclass(frozen=True)
class Settings:
    seconds: int
    connections: int
    threads: int
    rounds: int


def load(server: Server, url: str, headers: dict[str, str], settings: Settings, *, seconds: int = 0) -> Load:
    before = server.cpu_seconds()
    result = wrk.run(
        url,
        seconds=seconds or settings.seconds,
        connections=settings.connections,
        threads=settings.threads,
        headers=headers,
    )
    cpu = server.cpu_seconds() - before
    return Load(
        result.requests_per_second,
        result.p50_ms,
        result.p99_ms,
        result.errors,
        result.requests,
        cpu / max(result.requests, 1) * 1e6,
    )


def warm_up(server: Server, url: str, headers: dict[str, str], settings: Settings) -> None:
    """Imports, pools, caches, prepared statements: 2 s unmeasured."""
    load(server, url, headers, settings, seconds=2)


def measure(server: Server, url: str, headers: dict[str, str], settings: Settings) -> Load:
    warm_up(server, url, headers, settings)
    return load(server, url, headers, settings)


@dataclass(frozen=True)
class Paired:
    """A route and its twin over alternating rounds (kit first in odd rounds, twin first in even
    ones, so neither always runs after the other)."""

    kit_rounds: list[Load]
    twin_rounds: list[Load]

    @staticmethod
    def _median(rounds: list[Load]) -> Load:
        return Load(
            statistics.median(r.rps for r in rounds),
            statistics.median(r.p50_ms for r in rounds),
            statistics.median(r.p99_ms for r in rounds),
            sum(r.errors for r in rounds),
            sum(r.requests for r in rounds),
            statistics.median(r.cpu_us for r in rounds),
        )

    @property
    def kit(self) -> Load:
        return self._median(self.kit_rounds)

    @property
    def twin(self) -> Load:
        return self._median(self.twin_rounds)

    def ratio(self, field: str) -> float:
        """Median over rounds of kit / twin, each round's pair measured back to back."""
        pairs = zip(self.kit_rounds, self.twin_rounds, strict=True)
        return float(statistics.median(getattr(k, field) / getattr(t, field) for k, t in pairs))

    def as_dict(self) -> dict[str, object]:
        return {
            "kit_rounds": [asdict(r) for r in self.kit_rounds],
            "twin_rounds": [asdict(r) for r in self.twin_rounds],
            "kit": asdict(self.kit),
            "twin": asdict(self.twin),
            "ratios": {field: self.ratio(field) for field in ("rps", "p50_ms", "p99_ms", "cpu_us")},
        }


def paired(
    server: Server, kit_url: str, twin_url: str, headers: dict[str, str], settings: Settings
) -> Paired:
    warm_up(server, kit_url, headers, settings)
    warm_up(server, twin_url, headers, settings)
    kit_rounds: list[Load] = []
    twin_rounds: list[Load] = []
    for round_number in range(settings.rounds):
        order = [(kit_url, kit_rounds), (twin_url, twin_rounds)]
        for url, rounds in order if round_number % 2 == 0 else reversed(order):
            rounds.append(load(server, url, headers, settings))
    return Paired(kit_rounds, twin_rounds)
