"""Graceful shutdown of the API: SIGTERM (what an orchestrator sends) while an upload is still
streaming in. The server stops accepting connections, finishes that request, then exits."""

import asyncio
import os
import signal
from collections.abc import AsyncIterator

import httpx
import pytest

from app.auth.models import User
from tests.chat.uploads import HEADERS, PNG, multipart
from tests.faults.conftest import PASSWORD
from tests.processes import api_process

pytestmark = pytest.mark.slow


async def test_sigterm_completes_the_request_in_flight(account: User) -> None:
    with api_process({"LOG_LEVEL": "WARNING"}) as (base_url, server):
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            login = await client.post(
                "/api/v1/auth/login", data={"username": account.username, "password": PASSWORD}
            )
            auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
            room_id = (await client.post("/api/v1/chat/rooms", json={"name": "drain"}, headers=auth)).json()[
                "id"
            ]

            body = multipart(PNG)
            first_chunk_sent = asyncio.Event()

            async def slow_body() -> AsyncIterator[bytes]:
                for start in range(0, len(body), 256):
                    yield body[start : start + 256]
                    first_chunk_sent.set()
                    await asyncio.sleep(0.1)  # about 0.5 s in all: the signal lands mid-upload

            upload = asyncio.create_task(
                client.post(
                    f"/api/v1/chat/rooms/{room_id}/attachments",
                    content=slow_body(),
                    headers={**HEADERS, **auth},
                )
            )
            await asyncio.wait_for(first_chunk_sent.wait(), 30)  # bounded if the upload fails first
            os.killpg(server.popen.pid, signal.SIGTERM)
            response = await upload

        assert response.status_code == 201, response.text
        assert response.json()["size"] == len(PNG)
        exit_code = await asyncio.to_thread(server.popen.wait, 15)
    # A clean shutdown: uvicorn finishes serving, then re-raises the signal it caught, so the exit
    # status is the signal's (what a supervisor expects from a process it stopped).
    assert "Finished server process" in server.output()
    assert exit_code == -signal.SIGTERM
