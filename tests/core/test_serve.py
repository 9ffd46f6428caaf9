"""`python -m app.cli serve`, the one documented way to start the API, as a real server: whom it
believes about the client address, how big a WebSocket message may be, how long a stop may take,
and that it refuses to start with a published signing key."""

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from app.core.config import AppConfig
from tests.processes import ROOT, api_process

pytestmark = pytest.mark.slow

LIMITED = {"RATE_LIMITER_ENABLED": "true", "AUTH_RATE_LIMIT_PER_IP": "2", "LOG_LEVEL": "WARNING"}


async def login_statuses(base_url: str, forwarded_for: list[str]) -> list[int]:
    """Failed logins (unknown names, so no per-account limit applies) claiming these clients."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        statuses = []
        for address in forwarded_for:
            response = await client.post(
                "/api/v1/auth/login",
                data={"username": f"nobody-{uuid.uuid4().hex[:8]}", "password": "not-the-password"},
                headers={"X-Forwarded-For": address},
            )
            statuses.append(response.status_code)
        return statuses


async def test_a_forged_forwarded_for_does_not_escape_the_address_limit() -> None:
    with api_process(LIMITED) as (base_url, _):
        statuses = await login_statuses(base_url, ["198.51.100.1", "198.51.100.2", "198.51.100.3"])
    # Each request claimed another client; all came from this socket, and that is what counts.
    assert statuses == [401, 401, 429]


async def test_forwarded_for_names_the_client_behind_a_trusted_proxy() -> None:
    with api_process({**LIMITED, "TRUSTED_PROXIES": "127.0.0.1"}) as (base_url, _):
        distinct = await login_statuses(base_url, ["198.51.100.1", "198.51.100.2", "198.51.100.3"])
        same = await login_statuses(base_url, ["198.51.100.9"] * 3)
    assert distinct == [401, 401, 401]
    assert same == [401, 401, 429]


async def test_a_websocket_message_over_the_default_limit_closes_the_socket_1009() -> None:
    limit = AppConfig.model_fields["SERVER_WS_MAX_BYTES"].default
    # Room for the largest chat message: 4,000 characters, each JSON-escaped as a surrogate pair.
    assert limit > len(json.dumps({"type": "message", "body": "\U0001f600" * 4000}))
    with api_process({"LOG_LEVEL": "WARNING"}) as (base_url, _):
        url = base_url.replace("http://", "ws://") + "/api/v1/chat/rooms/1/ws"
        async with connect(url) as socket:
            # The first frame (where an auth frame would go): refused before the application reads it.
            await socket.send("x" * (limit + 1))
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 30)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009


async def test_sigterm_stops_the_server_despite_a_client_that_never_finishes() -> None:
    with api_process({"SERVER_SHUTDOWN_TIMEOUT": "1", "LOG_LEVEL": "WARNING"}) as (base_url, server):
        first_byte_sent = asyncio.Event()

        async def endless_body() -> AsyncIterator[bytes]:
            yield b"username="
            while True:
                first_byte_sent.set()
                await asyncio.sleep(0.2)
                yield b"a"

        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            upload = asyncio.create_task(
                client.post(
                    "/api/v1/auth/login",
                    content=endless_body(),
                    headers={"content-type": "application/x-www-form-urlencoded"},
                )
            )
            try:
                # Bounded: a request that fails to start must fail the test, not hang it.
                await asyncio.wait_for(first_byte_sent.wait(), 30)
                os.killpg(server.popen.pid, signal.SIGTERM)
                # Generous: the bound is 1 s; without one the server waits for this client forever.
                exit_code = await asyncio.to_thread(server.popen.wait, 30)
            finally:
                upload.cancel()
    assert exit_code == -signal.SIGTERM
    assert "timeout graceful shutdown exceeded" in server.output()


def test_serve_refuses_to_start_in_staging_with_the_development_key() -> None:
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--port", "0"],
        cwd=ROOT,
        env={**env, "ENVIRONMENT": "staging"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr + result.stdout


def test_serve_names_a_refused_module_setting_without_a_traceback() -> None:
    env = {**os.environ, "ENVIRONMENT": "staging", "SECRET_KEY": secrets.token_urlsafe(48)}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--port", "0"],
        cwd=ROOT,
        env={**env, "AUTH_JWT_SECRET": "changeme"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "AUTH_JWT_SECRET is a published example value" in result.stderr
    assert "Traceback" not in result.stderr
