"""Management commands: `python -m app.cli --help` (or `kit --help` once installed).

A composition root like app.main: it sees the installed modules through app.modules.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from app.core.config import get_app_config
from app.core.log import configure_logging

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

ROOT = Path(__file__).resolve().parent.parent
cli = typer.Typer(help="Management commands of the API.", no_args_is_help=True, add_completion=False)


def alembic_config(database_url: str | None = None) -> "AlembicConfig":
    from alembic.config import Config  # noqa: PLC0415 - only the migration commands need alembic

    config = Config(str(ROOT / "alembic.ini"))
    if database_url:
        config.attributes["database_url"] = database_url
    return config


@cli.command()
def serve(
    host: Annotated[str, typer.Option(envvar="API_HOST", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="API_PORT", help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None, typer.Option(envvar="WEB_CONCURRENCY", help="Worker processes (default 1).")
    ] = None,
    reload: Annotated[bool, typer.Option(help="Restart when code under app/ changes (development).")] = False,
) -> None:
    """Run the API under uvicorn, configured from the settings (the one way to start it).

    A bare `uvicorn` command believes X-Forwarded-For from 127.0.0.1 (so anything on the host, or
    a proxy that forwards the header as the client sent it, picks the client address the rate
    limits count), accepts 16 MiB WebSocket messages and waits forever for slow clients on
    shutdown. Here: proxy headers only from TRUSTED_PROXIES, WebSocket messages up to
    SERVER_WS_MAX_BYTES, shutdown bounded by SERVER_SHUTDOWN_TIMEOUT, and no uvicorn access log
    (the application logs each request, with its request id).
    """
    import uvicorn  # noqa: PLC0415 - keeps other commands light

    from app.core.modules import load_module_settings  # noqa: PLC0415
    from app.modules import INSTALLED_MODULES  # noqa: PLC0415

    try:
        config = get_app_config()
        # Every installed module's settings too: a refused one (AUTH_JWT_SECRET, ...) is then a
        # message here, not a traceback from inside uvicorn.
        load_module_settings(config, INSTALLED_MODULES)
    except ValueError as error:  # pydantic's ValidationError included
        # A refused setting (a published signing key in staging, ...): its message, no traceback.
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from error
    # uvicorn's own lines (its supervisor's and reloader's too) go through the app's formatter,
    # not uvicorn's default configuration.
    configure_logging(config.LOG_LEVEL, config.log_format)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        reload_dirs=[str(ROOT / "app")] if reload else None,
        proxy_headers=bool(config.TRUSTED_PROXIES),
        forwarded_allow_ips=config.forwarded_allow_ips,
        ws_max_size=config.SERVER_WS_MAX_BYTES,
        timeout_graceful_shutdown=config.SERVER_SHUTDOWN_TIMEOUT,
        access_log=False,
        log_config=None,
        # At INFO whatever LOG_LEVEL, as uvicorn's default configuration has them: supervisors
        # and tests wait for the "Uvicorn running on" line.
        log_level="info",
    )


# Arguments the app's command does not know are taskiq's (`--workers 2`, task modules, ...).
TASKIQ_ARGUMENTS = {"allow_extra_args": True, "ignore_unknown_options": True}


def taskiq_arguments(target: str, extra: list[str]) -> list[str]:
    """Logging configured the app's way, and taskiq told to leave it alone.

    taskiq's commands otherwise install a plain format of their own in the worker's main process
    (the process manager's lines); this way every line is the app's (LOG_FORMAT, LOG_LEVEL).
    Options given on the command line come later, so they win; the target comes right before
    them, so task modules given first follow it as taskiq's positional arguments.
    """
    config = get_app_config()
    configure_logging(config.LOG_LEVEL, config.log_format)
    return ["--no-configure-logging", "--log-level", config.LOG_LEVEL, target, *extra]


@cli.command(context_settings=TASKIQ_ARGUMENTS)
def worker(
    context: typer.Context,
    target: Annotated[str, typer.Option("--broker", help="The taskiq broker, module:attribute.")] = (
        "app.worker:broker"
    ),
) -> None:
    """Run taskiq worker processes (the one way to start a worker).

    Other arguments are `taskiq worker`'s: `--workers 1 --max-async-tasks 10`.
    """
    from taskiq.cli.worker.cmd import WorkerCMD  # noqa: PLC0415 - keeps other commands light

    status = WorkerCMD().exec(taskiq_arguments(target, context.args))
    raise typer.Exit(status or 0)


@cli.command(context_settings=TASKIQ_ARGUMENTS)
def scheduler(
    context: typer.Context,
    target: Annotated[str, typer.Option("--scheduler", help="The taskiq scheduler, module:attribute.")] = (
        "app.worker:scheduler"
    ),
) -> None:
    """Run the taskiq scheduler (periodic tasks); run exactly one.

    Other arguments are `taskiq scheduler`'s.
    """
    from taskiq.cli.scheduler.cmd import SchedulerCMD  # noqa: PLC0415 - keeps other commands light

    SchedulerCMD().exec(taskiq_arguments(target, context.args))


@cli.command()
def migrate(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Create the database if it is missing, then apply migrations up to REVISION."""
    from alembic import command  # noqa: PLC0415 - keeps other commands light
    from app.core.db.admin import ensure_database  # noqa: PLC0415

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
    from alembic import command  # noqa: PLC0415 - keeps other commands light

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


@cli.command()
def openapi(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """Print the application's OpenAPI schema (JSON); `make client` generates the TypeScript client
    from it. Built from the settings, like the served /openapi.json, without starting a server."""
    import json  # noqa: PLC0415 - keeps other commands light

    from app.main import create_app  # noqa: PLC0415

    schema = json.dumps(create_app().openapi(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(schema, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(schema, encoding="utf-8")


@cli.command("send-test-email")
def send_test_email(recipient: Annotated[str, typer.Argument(help="Who receives the message.")]) -> None:
    """Queue a test email; a running worker sends it with the configured mail backend."""
    outbox_id = asyncio.run(_queue_test_email(recipient))
    typer.echo(f"queued as outbox message {outbox_id}")


@asynccontextmanager
async def _started() -> AsyncIterator[None]:
    """The process as the API has it (modules loaded, clients open), for one command."""
    from app.core.modules import install_modules, load_module_settings  # noqa: PLC0415 - keeps other commands light
    from app.core.runtime import open_resources  # noqa: PLC0415
    from app.modules import INSTALLED_MODULES  # noqa: PLC0415

    config = get_app_config()
    module_settings = load_module_settings(config, INSTALLED_MODULES)
    resources = open_resources(config, install_modules(INSTALLED_MODULES), module_settings)
    await resources.start()
    try:
        yield
    finally:
        await resources.close()


async def _queue_test_email(recipient: str) -> int:
    from app.core.clock import utcnow  # noqa: PLC0415 - keeps other commands light
    from app.core.mail import EmailData  # noqa: PLC0415
    from app.core.mail.templates import TestEmail  # noqa: PLC0415
    from app.core.platform import platform_context  # noqa: PLC0415

    async with _started(), platform_context() as platform:
        sent_at = utcnow().isoformat(timespec="seconds")
        template = TestEmail(project_name=platform.config.PROJECT_NAME, sent_at=sent_at)
        return await platform.mail.queue(template, EmailData(subject="Test email", recipient=recipient))


@cli.command("dead-letters")
def dead_letters(
    task: Annotated[str | None, typer.Option(help="Only messages of this task name.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, oldest first.")] = 100,
) -> None:
    """List dead-lettered tasks, emails and durable listeners, with their last error."""
    for line in asyncio.run(_dead_letters(task, limit)):
        typer.echo(line)


async def _dead_letters(task: str | None, limit: int) -> list[str]:
    from app.core.db import UnitOfWork  # noqa: PLC0415 - keeps other commands light
    from app.core.outbox import list_dead  # noqa: PLC0415
    from app.core.resources import current_resources  # noqa: PLC0415

    async with _started(), UnitOfWork(current_resources().session_factory) as unit_of_work:
        messages = await list_dead(unit_of_work.session, task_name=task, limit=limit)
        lines = []
        for message in messages:
            # A durable listener's delivery: name the listener, all of them share one task.
            listener = message.payload.get("listener")
            what = f"{message.task_name} {listener}" if listener else message.task_name
            dead_at = message.dead_at.isoformat(timespec="seconds") if message.dead_at else ""
            lines.append(
                f"{message.id}\t{what}\t{message.attempts} attempts\t{dead_at}\t{message.last_error}"
            )
        return lines or ["no dead messages"]


@cli.command("requeue-dead")
def requeue_dead_messages(
    task: Annotated[str | None, typer.Option(help="Only messages of this task name.")] = None,
    message_id: Annotated[list[int] | None, typer.Option("--id", help="Only these outbox ids.")] = None,
) -> None:
    """Give dead-lettered tasks and emails a fresh set of attempts (once their cause is fixed)."""
    count = asyncio.run(_change_dead("requeue", task, message_id or []))
    typer.echo(f"requeued {count} dead message(s); the relay publishes them on its next run")


@cli.command("purge-dead")
def purge_dead_messages(
    task: Annotated[str | None, typer.Option(help="Only messages of this task name.")] = None,
    message_id: Annotated[list[int] | None, typer.Option("--id", help="Only these outbox ids.")] = None,
) -> None:
    """Delete dead-lettered messages for good (retention keeps them until requeued or purged)."""
    count = asyncio.run(_change_dead("purge", task, message_id or []))
    typer.echo(f"purged {count} dead message(s)")


async def _change_dead(action: Literal["requeue", "purge"], task: str | None, ids: list[int]) -> int:
    from app.core.db import UnitOfWork  # noqa: PLC0415 - keeps other commands light
    from app.core.outbox import purge_dead, requeue_dead  # noqa: PLC0415
    from app.core.resources import current_resources  # noqa: PLC0415

    change = requeue_dead if action == "requeue" else purge_dead
    async with _started(), UnitOfWork(current_resources().session_factory) as unit_of_work:
        return await change(unit_of_work.session, task_name=task, ids=ids)


@cli.command("create-superuser")
def create_superuser(
    email: Annotated[str, typer.Option(envvar="SUPERUSER_EMAIL", help="Email of the account.")],
    username: Annotated[str, typer.Option(envvar="SUPERUSER_USERNAME", help="Username of the account.")],
    password: Annotated[
        str,
        typer.Option(
            envvar="SUPERUSER_PASSWORD",
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="Prompted for when not given (or set SUPERUSER_PASSWORD at deploy time).",
        ),
    ],
) -> None:
    """Create a super admin. No account exists by default: the first one comes from here."""
    user_id = asyncio.run(_create_superuser(email, username, password))
    typer.echo(f"created super admin {username} (id {user_id})")


async def _create_superuser(email: str, username: str, password: str) -> int:
    from pydantic import SecretStr, ValidationError  # noqa: PLC0415 - keeps other commands light

    from app.auth.schemas.user import UserCreate  # noqa: PLC0415
    from app.auth.services.factory import user_service  # noqa: PLC0415
    from app.core.errors import AppError  # noqa: PLC0415
    from app.core.platform import platform_context  # noqa: PLC0415

    try:
        data = UserCreate(email=email, username=username, password=SecretStr(password))
    except ValidationError as error:
        raise typer.BadParameter(str(error)) from error
    async with _started():
        try:
            async with platform_context() as platform:
                user = await user_service(platform).create_superuser(data)
                return user.id
        except AppError as error:
            raise typer.BadParameter(error.detail) from error


@cli.command("reencrypt-totp-secrets")
def reencrypt_totp_secrets() -> None:
    """After rotating AUTH_TOTP_ENCRYPTION_KEY: re-encrypt every two-factor secret still under an
    old key (AUTH_TOTP_ENCRYPTION_OLD_KEYS) with the new one, so the old key can be removed."""
    moved = asyncio.run(_reencrypt_totp_secrets())
    typer.echo(f"re-encrypted {moved} two-factor secret(s) with the current key")


async def _reencrypt_totp_secrets() -> int:
    from app.auth.services.factory import two_factor_service  # noqa: PLC0415 - keeps other commands light
    from app.core.platform import platform_context  # noqa: PLC0415

    async with _started(), platform_context() as platform:
        return await two_factor_service(platform).reencrypt_all()


@cli.command("new-module")
def new_module(name: Annotated[str, typer.Argument(help="Package name, e.g. billing.")]) -> None:
    """Generate a module skeleton (code, tests, migration) and register it in app/modules.py."""
    from app.scaffold import ScaffoldError  # noqa: PLC0415 - keeps other commands light
    from app.scaffold import new_module as scaffold  # noqa: PLC0415

    try:
        created = scaffold(name, ROOT)
    except ScaffoldError as error:
        raise typer.BadParameter(str(error)) from error
    for path in created:
        typer.echo(f"created {path.relative_to(ROOT)}")
    typer.echo(f"registered app.{name} in app/modules.py; next: make migrate, make client, then make test")


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
