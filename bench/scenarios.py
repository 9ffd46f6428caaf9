"""What `make bench` measures. Paths and headers may use {token} and {user_id}: the signed-in
bench user (see bench/fixtures.py)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scenario:
    name: str
    server: str  # "hello" or "app"
    path: str
    headers: dict[str, str] = field(default_factory=dict)


AUTHORIZED = {"Authorization": "Bearer {token}"}
BASELINE = Scenario("hello world (baseline)", "hello", "/")

SCENARIOS = [
    BASELINE,
    Scenario("GET /health/live", "app", "/health/live"),
    Scenario("GET /health/ready (PostgreSQL + Redis)", "app", "/health/ready"),
    Scenario("cached GET (Redis hit)", "app", "/bench/cached/1"),
    Scenario("raw psycopg single-row SELECT (reference)", "app", "/bench/raw/users/{user_id}"),
    Scenario("GET /users/{id} (authenticated)", "app", "/api/v1/users/{user_id}", AUTHORIZED),
    Scenario(
        "GET /users page + count + filters",
        "app",
        "/api/v1/users?filters=username:like:bench-user-1%25&sort=username:desc&per_page=20",
        AUTHORIZED,
    ),
]
