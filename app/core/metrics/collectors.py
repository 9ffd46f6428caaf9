"""The application's Prometheus metrics (one registry per process; scrape every process).

Route labels are path templates (`/api/v1/users/{user_id}`), never raw paths, so the number of
series stays bounded whatever clients request; unmatched paths share one label.
"""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

registry = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "http_requests_total", "HTTP requests answered.", ["method", "route", "status"], registry=registry
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=registry,
)
DB_POOL = Gauge(
    "db_pool_connections",
    "Database pool connections by pool (write, read) and state.",
    ["pool", "state"],
    registry=registry,
)
QUEUE_DEPTH = Gauge("queue_messages", "Task queue messages by state.", ["state"], registry=registry)
TASKS = Counter("tasks_total", "Task runs by task name and outcome.", ["task", "outcome"], registry=registry)
