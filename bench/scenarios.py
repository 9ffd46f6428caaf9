"""What `make bench` measures. Paths and headers may use {token} and {user_id}: the signed-in
bench user (see bench/fixtures.py). A scenario with a `twin` is measured against that path, its
raw twin (bench/twins.py), in alternating rounds on the same server."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scenario:
    name: str
    server: str  # "hello" or "app"
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    twin: str | None = None


AUTHORIZED = {"Authorization": "Bearer {token}"}
BASELINE = Scenario("hello world (baseline)", "hello", "/")
LIST_QUERY = "?filters=username:like:bench-user-1%25&sort=username:desc&per_page=20"
AUTHENTICATED_GET = Scenario(
    "GET /users/{id} (authenticated)",
    "app",
    "/api/v1/users/{user_id}",
    AUTHORIZED,
    twin="/bench/twin/users/{user_id}",
)
LIST_PAGE = Scenario(
    "GET /users page + count + filters",
    "app",
    f"/api/v1/users{LIST_QUERY}",
    AUTHORIZED,
    twin=f"/bench/twin/users{LIST_QUERY}",
)

SCENARIOS = [
    BASELINE,
    Scenario("GET /health/live", "app", "/health/live"),
    Scenario("GET /health/ready (PostgreSQL + Redis)", "app", "/health/ready"),
    Scenario("cached GET (Redis hit)", "app", "/bench/cached/1"),
    Scenario("raw psycopg single-row SELECT (reference)", "app", "/bench/raw/users/{user_id}"),
    AUTHENTICATED_GET,
    LIST_PAGE,
]
