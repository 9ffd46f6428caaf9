"""GET /metrics: request counts by route template, pool and task metrics."""

import httpx
from prometheus_client.parser import text_string_to_metric_families


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(metrics: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return metrics.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_requests_are_counted_by_route_template(client: httpx.AsyncClient) -> None:
    before = samples((await client.get("/metrics")).text)
    await client.get("/health/live")
    await client.get("/api/v1/widgets/12345")  # a template with a parameter
    await client.get("/no/such/path/at-all")
    await client.get("/docs/assets/swagger-init.js")  # a mount's file: by the mount's path
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    after = samples(response.text)

    def grew(route: str, status: str) -> float:
        key = {"method": "GET", "route": route, "status": status}
        return value(after, "http_requests_total", **key) - value(before, "http_requests_total", **key)

    assert grew("/health/live", "200") == 1
    assert grew("/api/v1/widgets/{widget_id}", "404") == 1
    assert grew("unmatched", "404") == 1
    assert grew("/docs/assets", "200") == 1
    assert not any("such" in name[1].__repr__() for name in after)  # raw paths never become labels
    assert ("db_pool_connections", (("pool", "write"), ("state", "checked_out"))) in after
    assert ("db_pool_connections", (("pool", "read"), ("state", "checked_out"))) in after


async def test_task_outcomes_are_counted(client: httpx.AsyncClient) -> None:
    before = samples((await client.get("/metrics")).text)
    await client.post("/api/v1/widgets/platform/tasks", json={"name": "counted"})
    after = samples((await client.get("/metrics")).text)
    labels = {"task": "example.create_widget", "outcome": "completed"}
    assert value(after, "tasks_total", **labels) - value(before, "tasks_total", **labels) == 1
