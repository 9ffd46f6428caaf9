"""Redis is unreachable (cache, rate limiter, queue broker): the API keeps serving what needs only
PostgreSQL, readiness reports 503, and email requested meanwhile waits in the outbox.
(Its delivery once Redis is back is tests/core/queue/test_worker_process.py::
test_queued_email_survives_redis_down_and_is_sent_once_it_is_back.)"""

from sqlalchemy import Text, cast, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import User
from app.core.config import AppConfig
from app.core.outbox import OutboxMessage
from tests.core.health.test_health import closed_port
from tests.faults.conftest import PASSWORD
from tests.processes import api


async def test_database_routes_work_while_redis_is_down(
    app_config: AppConfig, engine: AsyncEngine, account: User
) -> None:
    nowhere = f"redis://127.0.0.1:{closed_port()}/0"
    config = app_config.model_copy(
        update={
            "REDIS_URL": nowhere,
            "QUEUE_BROKER": "redis",
            "QUEUE_REDIS_URL": nowhere,
            "REDIS_TIMEOUT": 0.5,
        }
    )
    async with api(config) as (client, _):
        ready = await client.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] == "ok"
        assert ready.json()["checks"]["redis"] != "ok"

        login = await client.post(
            "/api/v1/auth/login", data={"username": account.username, "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        me = await client.get(f"/api/v1/users/{account.id}", headers=headers)
        assert (me.status_code, me.json()["username"]) == (200, account.username)
        page = await client.get(
            "/api/v1/users", headers=headers, params={"filters": f"username:{account.username}"}
        )
        assert page.status_code == 200
        assert page.json()["total"] == 1
        created = await client.post("/api/v1/chat/rooms", json={"name": "offline"}, headers=headers)
        assert created.status_code == 201, created.text

        restore = await client.post("/api/v1/auth/restore-password", json={"email": account.email})
        assert restore.status_code == 202

    async with engine.connect() as connection:
        pending = (
            await connection.execute(
                select(OutboxMessage.published_at, OutboxMessage.completed_at).where(
                    cast(OutboxMessage.payload, Text).contains(account.email)
                )
            )
        ).all()
    assert pending == [(None, None)], "the reset email waits in the outbox for the relay"
