"""Events reach listeners after commit, never after a rollback, and from anywhere."""

import io
import uuid

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import Text, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import UnitOfWork
from app.core.events.service import DeliverEventPayload
from app.core.outbox import OutboxMessage
from app.core.platform import Platform
from app.core.resources import Resources
from tests.example import Widget, listeners
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


async def test_each_durable_listener_gets_an_outbox_row_of_its_own(
    client: httpx.AsyncClient, db_session: AsyncSession, redis: Redis
) -> None:
    """In the tests' in-memory broker the rows run in this process, right after the commit; a
    worker process runs them in production (tests/core/events/test_durable_listeners.py)."""
    parcel = f"parcel-{uuid.uuid4().hex[:8]}"  # this test's rows, whatever other tests committed
    response = await client.post(f"{EVENTS}/shipped", json={"name": parcel})
    assert response.status_code == 204

    rows = list(
        await db_session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.task_name == DeliverEventPayload.task_name(),
                cast(OutboxMessage.payload, Text).contains(parcel),
            )
            .order_by(OutboxMessage.id)
        )
    )
    assert [row.payload for row in rows] == [
        {
            "listener": f"tests.example.listeners.{name}",
            "event": "example.widget_shipped",
            "data": {"name": parcel},
        }
        for name in ("record_shipment", "notify_carrier")
    ]
    recorded, carrier = rows
    assert (recorded.completed_at is not None, recorded.attempts) == (True, 1)
    # The failing one is due again after a backoff; its writes were rolled back.
    assert (carrier.completed_at, carrier.attempts) == (None, 1)
    assert carrier.last_error == "RuntimeError: carrier unreachable (run 1)"
    widgets = await db_session.scalars(select(Widget.name).where(Widget.name.startswith(parcel)))
    assert list(widgets) == [f"{parcel}-recorded"]
    assert await redis.get(f"runs:record_shipment:{parcel}") == b"1"


async def test_dispatch_outside_a_request(resources: Resources, db_session: AsyncSession) -> None:
    """As the CLI or a script would: a unit of work of its own, listeners awaited directly."""
    del db_session
    async with UnitOfWork(resources.session_factory) as unit_of_work:
        Platform.build(resources, unit_of_work).events.dispatch(WidgetCreated(id=1, name="cli"))
        assert listeners.heard == []  # nothing before the commit
    assert heard("example.widget_created") == [{"id": 1, "name": "cli"}]
