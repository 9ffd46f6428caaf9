"""Management commands: `python -m app.cli --help` (or `kit --help` once installed).

A composition root like app.main: it sees the installed modules through app.modules.
"""

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from alembic.config import Config as AlembicConfig

from alembic import command
from app.core.config import get_app_config
from app.core.db.admin import ensure_database

ROOT = Path(__file__).resolve().parent.parent
cli = typer.Typer(help="Management commands of the API.", no_args_is_help=True, add_completion=False)


def alembic_config(database_url: str | None = None) -> AlembicConfig:
    config = AlembicConfig(str(ROOT / "alembic.ini"))
    if database_url:
        config.attributes["database_url"] = database_url
    return config


@cli.command()
def migrate(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Create the database if it is missing, then apply migrations up to REVISION."""
    url = get_app_config().DATABASE_URL
    if ensure_database(url):
        typer.echo("created the database")
    command.upgrade(alembic_config(), revision)


@cli.command()
def makemigrations(
    message: Annotated[str, typer.Option("--message", "-m", help="What the migration does.")],
    empty: Annotated[bool, typer.Option(help="Write an empty migration instead of autogenerating.")] = False,
    rev_id: Annotated[str | None, typer.Option(help="Revision id (default: random).")] = None,
) -> None:
    """Autogenerate a migration from the difference between the models and the database."""
    command.revision(alembic_config(), message=message, autogenerate=not empty, rev_id=rev_id)


@cli.command()
def routes() -> None:
    """List the HTTP routes of the application."""
    from fastapi.routing import iter_route_contexts  # noqa: PLC0415 - keeps other commands light

    from app.main import create_app  # noqa: PLC0415

    # Included routers are resolved lazily; iter_route_contexts flattens them with their prefixes.
    for route in iter_route_contexts(create_app().routes):
        methods = ",".join(sorted((route.methods or {"WEBSOCKET"}) - {"HEAD"}))
        typer.echo(f"{methods:<14} {route.path:<45} {route.name}")


@cli.command("send-test-email")
def send_test_email(recipient: Annotated[str, typer.Argument(help="Who receives the message.")]) -> None:
    """Queue a test email; a running worker sends it with the configured mail backend."""
    outbox_id = asyncio.run(_queue_test_email(recipient))
    typer.echo(f"queued as outbox message {outbox_id}")


async def _queue_test_email(recipient: str) -> int:
    from app.core.clock import utcnow  # noqa: PLC0415 - keeps other commands light
    from app.core.db import UnitOfWork  # noqa: PLC0415
    from app.core.mail import EmailData  # noqa: PLC0415
    from app.core.mail.templates import TestEmail  # noqa: PLC0415
    from app.core.modules import load_modules  # noqa: PLC0415
    from app.core.resources import Resources  # noqa: PLC0415
    from app.core.services import TaskContext  # noqa: PLC0415
    from app.modules import INSTALLED_MODULES  # noqa: PLC0415

    config = get_app_config()
    load_modules(INSTALLED_MODULES)
    resources = Resources.open(config)
    await resources.start()
    try:
        async with UnitOfWork(resources.session_factory) as unit_of_work:
            mail = TaskContext.build(resources, unit_of_work).mail
            template = TestEmail(
                project_name=config.PROJECT_NAME, sent_at=utcnow().isoformat(timespec="seconds")
            )
            return await mail.queue(template, EmailData(subject="Test email", recipient=recipient))
    finally:
        await resources.close()


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
