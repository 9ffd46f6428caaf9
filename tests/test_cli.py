import asyncio

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from app.cli import cli
from app.core.clock import utcnow
from app.core.outbox import OutboxMessage


def test_routes_lists_the_health_endpoints() -> None:
    result = CliRunner().invoke(cli, ["routes"])
    assert result.exit_code == 0, result.output
    assert "/health/ready" in result.output
    assert "/health/live" in result.output


async def test_requeue_dead_gives_dead_letters_fresh_attempts(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        outbox_id = await connection.scalar(
            insert(OutboxMessage)
            .values(task_name="cli.requeue-test", payload={}, context={}, attempts=5, dead_at=utcnow())
            .returning(OutboxMessage.id)
        )
    try:
        result = await asyncio.to_thread(CliRunner().invoke, cli, ["requeue-dead", "--id", str(outbox_id)])
        assert result.exit_code == 0, result.output
        assert "requeued 1 dead message" in result.output
        async with engine.connect() as connection:
            row = (await connection.execute(select(OutboxMessage).where(OutboxMessage.id == outbox_id))).one()
        assert (row.dead_at, row.attempts, row.published_at) == (None, 0, None)
    finally:
        async with engine.begin() as connection:
            await connection.execute(delete(OutboxMessage).where(OutboxMessage.id == outbox_id))


async def test_dead_letters_are_listed_and_purged(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        outbox_id = await connection.scalar(
            insert(OutboxMessage)
            .values(
                task_name="cli.purge-test",
                payload={},
                context={},
                attempts=5,
                dead_at=utcnow(),
                last_error="RuntimeError: gone for good",
            )
            .returning(OutboxMessage.id)
        )
    try:
        listed = await asyncio.to_thread(
            CliRunner().invoke, cli, ["dead-letters", "--task", "cli.purge-test"]
        )
        assert listed.exit_code == 0, listed.output
        assert listed.output.startswith(f"{outbox_id}\tcli.purge-test\t5 attempts\t")
        assert listed.output.rstrip().endswith("RuntimeError: gone for good")

        purged = await asyncio.to_thread(CliRunner().invoke, cli, ["purge-dead", "--id", str(outbox_id)])
        assert purged.exit_code == 0, purged.output
        assert "purged 1 dead message" in purged.output
        async with engine.connect() as connection:
            assert (
                await connection.scalar(select(OutboxMessage.id).where(OutboxMessage.id == outbox_id)) is None
            )
    finally:
        async with engine.begin() as connection:
            await connection.execute(delete(OutboxMessage).where(OutboxMessage.id == outbox_id))
