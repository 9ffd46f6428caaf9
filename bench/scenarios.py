"""What `make bench` measures. Later features add their scenarios here."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scenario:
    name: str
    server: str  # "hello" or "app"
    path: str
    headers: dict[str, str] = field(default_factory=dict)


BASELINE = Scenario("hello world (baseline)", "hello", "/")

SCENARIOS = [
    BASELINE,
    Scenario("GET /health/live", "app", "/health/live"),
    Scenario("GET /health/ready (PostgreSQL + Redis)", "app", "/health/ready"),
    Scenario("cached GET (Redis hit)", "app", "/bench/cached/1"),
]
