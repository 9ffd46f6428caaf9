"""Password restore and reset."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from freezegun import freeze_time
from sqlalchemy import Text, cast, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.config import AppConfig
from app.core.mail import MemoryBackend
from app.core.outbox import OutboxMessage
from app.core.platform import platform_context
from app.core.queue.task import BaseTask
from tests.core.health.test_health import closed_port
from tests.factories import PASSWORD, UserFactory
from tests.processes import api
from tests.users import API, CreateUser, SignIn, link_token, login

RESTORE, RESET = f"{API}/auth/restore-password", f"{API}/auth/reset-password"
RESEND = f"{API}/auth/verify-email/resend"
RESET_LINK = "https://app.example/reset-password"
NEW = "Brand-new-password-99"


async def test_restore_answers_the_same_for_known_and_unknown(
    client: httpx.AsyncClient, outbox_mail: MemoryBackend, db_session: AsyncSession
) -> None:
    user = await UserFactory.create_async()
    inactive = await UserFactory.create_async(is_active=False)
    answers = []
    for email in (user.email, "nobody@example.com", inactive.email, user.email.upper()):
        response = await client.post(RESTORE, json={"email": email})
        answers.append((response.status_code, response.json(), response.headers["content-type"]))
    assert answers[0][0] == 202
    assert all(answer == answers[0] for answer in answers)
    assert [m["To"] for m in outbox_mail.sent] == [user.email, user.email]
    del db_session


async def test_restore_and_resend_do_the_same_work_for_known_and_unknown_addresses(
    app_config: AppConfig, committed_users: CreateUser, engine: AsyncEngine
) -> None:
    known, unverified = await committed_users(), await committed_users(email_verified_at=None)
    # Named after a known account so the fixture's clean-up finds its rows too.
    unknown = f"{known.username}.nobody@example.com"
    names = (known.username, unverified.username)

    async def queued() -> list[tuple[str, dict[str, Any]]]:
        async with engine.connect() as connection:
            payload = cast(OutboxMessage.payload, Text)
            rows = await connection.execute(
                select(OutboxMessage.task_name, OutboxMessage.payload)
                .where(or_(*(payload.contains(name) for name in names)))
                .order_by(OutboxMessage.id)
            )
        return [(name, data) for name, data in rows]

    # No broker: whatever the requests queue stays in the outbox, where the test can compare it.
    nowhere = f"redis://127.0.0.1:{closed_port()}/0"
    config = app_config.model_copy(
        update={"QUEUE_BROKER": "redis", "QUEUE_REDIS_URL": nowhere, "REDIS_TIMEOUT": 0.5}
    )
    async with api(config) as (client, resources):
        for path, address in ((RESTORE, known.email), (RESEND, unverified.email)):
            answers = [(await client.post(path, json={"email": email})) for email in (address, unknown)]
            assert answers[0].status_code == 202
            assert [(a.status_code, a.json()) for a in answers] == [(202, answers[0].json())] * 2
        work = await queued()
        assert work == [
            ("auth.send_password_reset", {"email": known.email}),
            ("auth.send_password_reset", {"email": unknown}),
            ("auth.resend_verification", {"email": unverified.email}),
            ("auth.resend_verification", {"email": unknown}),
        ]

        for name, data in work:
            async with platform_context() as context:
                task = resources.registry.tasks[name]
                assert issubclass(task, BaseTask)
                await task(context).run(task.__payload__.model_validate(data))
    mailed = [data["email"]["email"]["recipient"] for name, data in await queued() if name == "mail.send"]
    assert mailed == [known.email, unverified.email]


async def test_reset_works_once_and_ends_every_session(
    client: httpx.AsyncClient, sign_in: SignIn, outbox_mail: MemoryBackend
) -> None:
    signed = await sign_in()
    await client.post(RESTORE, json={"email": signed.user.email})
    token = link_token(outbox_mail, signed.user.email, RESET_LINK)
    assert (await client.post(RESET, json={"token": token, "new_password": NEW})).status_code == 204
    assert (await client.post(RESET, json={"token": token, "new_password": NEW + "x"})).status_code == 401
    assert (await login(client, signed.user.username)).status_code == 401
    assert (await login(client, signed.user.username, NEW)).status_code == 200
    assert (await client.get(f"{API}/profile", headers=signed.headers)).status_code == 401
    refreshed = await client.post(f"{API}/auth/refresh-token", json={"refresh_token": signed.refresh_token})
    assert refreshed.status_code == 401
    # The "password changed" email follows.
    assert outbox_mail.sent[-1]["Subject"] == "Your password was changed"


async def test_reset_link_dies_when_the_password_changes_another_way(
    client: httpx.AsyncClient, sign_in: SignIn, outbox_mail: MemoryBackend
) -> None:
    signed = await sign_in()
    await client.post(RESTORE, json={"email": signed.user.email})
    token = link_token(outbox_mail, signed.user.email, RESET_LINK)
    changed = await client.post(
        f"{API}/profile/password",
        json={"current_password": PASSWORD, "new_password": NEW},
        headers=signed.headers,
    )
    assert changed.status_code == 204
    assert (
        await client.post(RESET, json={"token": token, "new_password": "Another-password-77"})
    ).status_code == 401


async def test_only_the_newest_link_works_and_links_expire(
    client: httpx.AsyncClient, sign_in: SignIn, outbox_mail: MemoryBackend
) -> None:
    signed = await sign_in()
    await client.post(RESTORE, json={"email": signed.user.email})
    first = link_token(outbox_mail, signed.user.email, RESET_LINK)
    await client.post(RESTORE, json={"email": signed.user.email})
    second = link_token(outbox_mail, signed.user.email, RESET_LINK)
    assert (await client.post(RESET, json={"token": first, "new_password": NEW})).status_code == 401
    with freeze_time(datetime.now(UTC) + timedelta(hours=2)):
        assert (await client.post(RESET, json={"token": second, "new_password": NEW})).status_code == 401


async def test_weak_new_password_does_not_spend_the_link(
    client: httpx.AsyncClient, sign_in: SignIn, outbox_mail: MemoryBackend
) -> None:
    signed = await sign_in()
    await client.post(RESTORE, json={"email": signed.user.email})
    token = link_token(outbox_mail, signed.user.email, RESET_LINK)
    weak = await client.post(RESET, json={"token": token, "new_password": "password123"})
    assert weak.status_code == 422
    assert "password123" not in weak.text
    assert (await client.post(RESET, json={"token": token, "new_password": NEW})).status_code == 204


async def test_token_kinds_are_not_interchangeable(
    client: httpx.AsyncClient, sign_in: SignIn, outbox_mail: MemoryBackend
) -> None:
    signed = await sign_in(email_verified_at=None)
    await client.post(f"{API}/auth/verify-email/resend", json={"email": signed.user.email})
    verify = link_token(outbox_mail, signed.user.email, "https://app.example/verify-email")
    await client.post(RESTORE, json={"email": signed.user.email})
    reset = link_token(outbox_mail, signed.user.email, RESET_LINK)
    assert (await client.post(RESET, json={"token": verify, "new_password": NEW})).status_code == 401
    assert (await client.post(f"{API}/auth/verify-email", json={"token": reset})).status_code == 401
    assert (
        await client.post(RESET, json={"token": signed.refresh_token, "new_password": NEW})
    ).status_code == 401
    for token in (reset, verify):
        assert (
            await client.get(f"{API}/profile", headers={"Authorization": f"Bearer {token}"})
        ).status_code == 401
