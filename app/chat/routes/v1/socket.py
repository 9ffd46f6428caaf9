"""WS /api/v1/chat/rooms/{room_id}/ws: a room's live messages.

Authentication: the subprotocols `["bearer", "<access token>"]` (browsers can set those), or a first
frame `{"type": "auth", "token": "..."}` within CHAT_WS_AUTH_TIMEOUT seconds. Never a query string:
URLs end up in logs. Close codes: 4401 not authenticated, 4403 not a member, 4404 no such room.
Frames: `{"type": "message", "body": "..."}` posts (stored, then broadcast to every client of the
room on every API process), `{"type": "ping"}` answers `{"type": "pong"}`. A bad frame gets an
error frame and the connection stays up. The server pings idle clients.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import ValidationError

from app.auth import Principal, auth_gateway
from app.chat.config import ChatConfig, get_chat_config
from app.chat.exceptions import NotAMember, RoomNotFound
from app.chat.schemas.message import AuthFrame, ClientFrame
from app.chat.services import fanout
from app.chat.services.context import ChatContext
from app.chat.services.messages import MessageService
from app.chat.services.rooms import RoomService
from app.core.api import ResourceId
from app.core.api.problems import sanitize_validation_errors
from app.core.db import UnitOfWork
from app.core.errors import AppError
from app.core.log import logger
from app.core.resources import Resources
from app.core.services import TaskContext

router = APIRouter(tags=["chat"])

NOT_AUTHENTICATED, NOT_A_MEMBER, NO_SUCH_ROOM = 4401, 4403, 4404
BEARER = "bearer"


@router.websocket("/chat/rooms/{room_id}/ws")
async def room_socket(websocket: WebSocket, room_id: ResourceId) -> None:
    await RoomSocket(websocket, room_id, websocket.state.resources, get_chat_config()).run()


class RoomSocket:
    def __init__(self, websocket: WebSocket, room_id: int, resources: Resources, config: ChatConfig) -> None:
        self.websocket = websocket
        self.room_id = room_id
        self.resources = resources
        self.config = config

    async def _context(self, unit_of_work: UnitOfWork) -> ChatContext:
        platform = TaskContext.build(self.resources, unit_of_work)
        return ChatContext(
            unit_of_work=unit_of_work,
            config=self.config,
            gateway=auth_gateway(unit_of_work.session, self.resources.cache),
            events=platform.events,
            redis=self.resources.redis,
        )

    async def _token(self) -> str | None:
        protocols = self.websocket.scope.get("subprotocols") or []
        if len(protocols) == 2 and protocols[0] == BEARER:
            await self.websocket.accept(subprotocol=BEARER)
            return str(protocols[1])
        await self.websocket.accept()
        try:
            raw = await asyncio.wait_for(self.websocket.receive_text(), self.config.WS_AUTH_TIMEOUT)
            return AuthFrame.model_validate_json(raw).token
        except (TimeoutError, ValidationError):
            return None

    async def _admit(self, token: str | None) -> Principal | int:
        """The member, or the close code that refuses them."""
        if token is None:
            return NOT_AUTHENTICATED
        async with UnitOfWork(self.resources.session_factory) as unit_of_work:
            context = await self._context(unit_of_work)
            user = await context.gateway.authenticate(token)
            if user is None:
                return NOT_AUTHENTICATED
            try:
                await RoomService(context).ensure_member(self.room_id, user)
            except RoomNotFound:
                return NO_SUCH_ROOM
            except NotAMember:
                return NOT_A_MEMBER
            return user

    async def run(self) -> None:
        admitted = await self._admit(await self._token())
        if isinstance(admitted, int):
            await self.websocket.close(code=admitted)
            return
        user = admitted
        async with fanout.subscription(
            self.resources.redis, self.config.CHANNEL_PREFIX, self.room_id
        ) as events:
            await self.websocket.send_json({"type": "ready", "room_id": self.room_id, "user_id": user.id})
            tasks = [
                asyncio.create_task(self._receive(user)),
                asyncio.create_task(self._forward(events)),
                asyncio.create_task(self._heartbeat()),
            ]
            _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
                    await task

    async def _receive(self, user: Principal) -> None:
        while True:
            try:
                raw = await self.websocket.receive_text()
            except WebSocketDisconnect:
                return
            try:
                frame = ClientFrame.model_validate_json(raw)
            except ValidationError as error:
                code = (
                    "invalid_json"
                    if any(e["type"] == "json_invalid" for e in error.errors())
                    else "invalid_frame"
                )
                await self._error(code, sanitize_validation_errors(error.errors()))
                continue
            if frame.type == "ping":
                await self.websocket.send_json({"type": "pong"})
            elif frame.body is None:
                await self._error(
                    "invalid_frame", [{"loc": ["body"], "msg": "Field required", "type": "missing"}]
                )
            else:
                await self._post(user, frame.body)

    async def _post(self, user: Principal, body: str) -> None:
        try:
            async with UnitOfWork(self.resources.session_factory) as unit_of_work:
                await MessageService(await self._context(unit_of_work)).post(self.room_id, user, body)
        except AppError as error:
            await self._error(error.code, [])

    async def _error(self, code: str, errors: list[dict[str, Any]]) -> None:
        await self.websocket.send_json({"type": "error", "code": code, "errors": errors})

    async def _forward(self, events: AsyncIterator[dict[str, Any]]) -> None:
        async for event in events:
            await self.websocket.send_json(event)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.config.WS_HEARTBEAT_INTERVAL)
            try:
                await self.websocket.send_json({"type": "ping"})
            except (WebSocketDisconnect, RuntimeError):
                logger.debug("websocket gone during heartbeat")
                return
