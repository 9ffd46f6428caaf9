"""Events reach listeners after commit, never after a rollback, and from anywhere."""

import io

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import UnitOfWork
from app.core.resources import Resources
from app.core.services import TaskContext
from tests.example import listeners
from tests.example.events import WidgetCreated
from tests.logs import records

EVENTS = "/api/v1/widgets/platform/events"


@pytest.fixture(autouse=True)
def _forget() -> None:
    listeners.heard.clear()


def heard(name: str) -> list[object]:
    return [data for event_name, data in listeners.heard if event_name == name]


async def test_released_after_commit(client: httpx.AsyncClient) -> None:
    response = await client.post(EVENTS, json={"name": "announced"})
    assert response.status_code == 201
    assert heard("example.widget_created") == [{"id": response.json()["id"], "name": "announced"}]


async def test_dropped_on_rollback(client: httpx.AsyncClient) -> None:
    response = await client.post(EVENTS, params={"fail": "true"}, json={"name": "unannounced"})
    assert response.status_code == 409
    assert listeners.heard == []


async def test_failing_listener_is_isolated_and_logged(
    client: httpx.AsyncClient, log_lines: io.StringIO
) -> None:
    response = await client.post(f"{EVENTS}/audit/7")
    assert response.status_code == 204
    assert heard("example.widget_audited") == [{"id": 7}]
    failures = [r for r in records(log_lines) if r.get("event") == "listener failed"]
    assert len(failures) == 1
    assert failures[0]["listener"] == "broken_auditor"
    assert failures[0]["request_id"] == response.headers["x-request-id"]
    assert "auditor is broken" in str(failures[0]["exception"])


async def test_dispatched_from_a_task_reaches_listeners(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/widgets/platform/tasks", json={"name": "task-announced", "announce": True}
    )
    assert response.status_code == 202
    assert [data["name"] for data in heard("example.widget_created")] == ["task-announced"]  # type: ignore[index]


async def test_durable_event_goes_through_the_outbox(client: httpx.AsyncClient) -> None:
    response = await client.post(EVENTS, params={"durable": "true"}, json={"name": "durable"})
    assert response.status_code == 201
    assert heard("example.widget_created") == [{"id": response.json()["id"], "name": "durable"}]


async def test_dispatch_outside_a_request(resources: Resources, db_session: AsyncSession) -> None:
    """As the CLI or a script would: a unit of work of its own, listeners awaited directly."""
    del db_session
    async with UnitOfWork(resources.session_factory) as unit_of_work:
        TaskContext.build(resources, unit_of_work).events.dispatch(WidgetCreated(id=1, name="cli"))
        assert listeners.heard == []  # nothing before the commit
    assert heard("example.widget_created") == [{"id": 1, "name": "cli"}]
