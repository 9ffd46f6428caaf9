"""WS /api/v1/chat/rooms/{room_id}/ws: a room's live messages.

Authentication: the subprotocols `["bearer", "<access token>"]` (browsers can set those), or a first
frame `{"type": "auth", "token": "..."}` within CHAT_WS_AUTH_TIMEOUT seconds. Never a query string:
URLs end up in logs. An API key works as the token: with `chat:read` it connects and receives,
with `chat:write` too it posts (sessions hold both).

Frames: `{"type": "message", "body": "..."}` posts (stored, then broadcast to every client of the
room on every API process), `{"type": "ping"}` answers `{"type": "pong"}`. A bad frame gets an
error frame `{"type": "error", "code": ..., "errors": [...]}` and the connection stays up. The
server pings every CHAT_WS_HEARTBEAT_INTERVAL seconds.

Access is checked for as long as the socket is open, not only when it opens: every post
re-checks the token (signature, expiry, token version, revoked session, active account; for a
key, revocation, expiry and scope) and the membership before storing; a revocation (logout,
logout-all, password change, deactivation, deletion, a revoked key, ...), leaving the room and
deleting it close the affected sockets on every API process; and the socket closes when its
access token expires, even if the client is silent (a key's socket, when the key expires or at
the latest after AUTH_ACCESS_TOKEN_TTL seconds: reconnect with the same key).

Limits: posts count against CHAT_POST_RATE_PER_MINUTE per user (per key for a key's socket)
together with the REST route; a post without `chat:write` gets an error frame
`{"type": "error", "code": "insufficient_scope", "errors": [], "missing_scopes": ["chat:write"]}`
and is not stored; a post over the rate gets
`{"type": "error", "code": "rate_limited", "errors": [], "retry_after": <seconds>}` and is not
stored (so is one made while every database connection is busy, with the code `service_busy`).
A user has at most CHAT_WS_MAX_PER_USER sockets open (all API processes). The server bounds the
size of a frame (see the README).

Close codes:
- 4401 not authenticated: no valid token at connect, or the access ended since (token expired,
  session revoked or signed out, account deactivated or deleted, password changed, ...);
- 4403 not a member: at connect, or since (left the room, or the room was deleted); or an API key
  without `chat:read` (at connect, after an `insufficient_scope` error frame);
- 4404 no such room (at connect);
- 4429 too many sockets: the user already has CHAT_WS_MAX_PER_USER open;
- 1013 try again later: Redis was unavailable, every database connection was busy, or the client
  read too slowly to keep up.
"""

import asyncio
import contextlib
from collections.abc import Coroutine
from datetime import datetime
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import ValidationError
from redis.exceptions import RedisError

from app.auth import InsufficientScope, Principal, auth_gateway
from app.chat.config import ChatConfig
from app.chat.deps import CHAT_READ, CHAT_WRITE, posting_limit
from app.chat.exceptions import NotAMember, RoomNotFound
from app.chat.lifespan import SOCKET_HUB
from app.chat.schemas.message import AuthFrame, ClientFrame
from app.chat.services.factory import message_service, room_service
from app.chat.services.fanout import CloseCode
from app.chat.services.socket_hub import SocketHub, Subscription
from app.chat.services.user_slots import Lease, UserSlots
from app.core.api import ResourceId
from app.core.api.handlers import POOL_TIMEOUT_RETRY_AFTER
from app.core.api.problems import sanitize_validation_errors
from app.core.clock import utcnow
from app.core.db import PoolTimeout
from app.core.errors import AppError
from app.core.platform import platform_context
from app.core.resources import Resources

router = APIRouter(tags=["chat"])

BEARER = "bearer"
# A socket's slot in the per-user cap outlives this many missed heartbeats (a crashed process).
SLOT_LEASE_HEARTBEATS = 3
# Seconds a close frame may wait to be sent.
CLOSE_TIMEOUT = 5.0


@router.websocket("/chat/rooms/{room_id}/ws")
async def room_socket(websocket: WebSocket, room_id: ResourceId) -> None:
    state = websocket.state
    resources: Resources = state.resources
    hub: SocketHub = getattr(state, SOCKET_HUB)
    await RoomSocket(websocket, room_id, resources, hub, resources.settings(ChatConfig)).run()


class RoomSocket:
    def __init__(
        self, websocket: WebSocket, room_id: int, resources: Resources, hub: SocketHub, config: ChatConfig
    ) -> None:
        self.websocket = websocket
        self.room_id = room_id
        self.resources = resources
        self.hub = hub
        self.config = config
        self.slots = UserSlots(
            resources.redis,
            f"{config.CHANNEL_PREFIX}:sockets",
            config.WS_MAX_PER_USER,
            SLOT_LEASE_HEARTBEATS * config.WS_HEARTBEAT_INTERVAL,
        )

    async def _token(self) -> str | None:
        protocols = self.websocket.scope.get("subprotocols") or []
        if len(protocols) == 2 and protocols[0] == BEARER:
            await self.websocket.accept(subprotocol=BEARER)
            return str(protocols[1])
        await self.websocket.accept()
        try:
            raw = await asyncio.wait_for(self._frame(), self.config.WS_AUTH_TIMEOUT)
            return None if raw is None else AuthFrame.model_validate_json(raw).token
        except (TimeoutError, ValidationError):
            return None

    async def _frame(self) -> str | bytes | None:
        """The next frame's content (bytes for a binary frame), None once the client has gone.
        Starlette's receive_text() would raise on a binary frame, ending the socket with an error."""
        message = await self.websocket.receive()
        if message["type"] == "websocket.disconnect":
            return None
        text: str | None = message.get("text")
        return text if text is not None else bytes(message.get("bytes") or b"")

    async def _admit(self, token: str) -> Principal | CloseCode:
        """The member, or the close code that refuses them."""
        async with platform_context(self.resources) as platform:
            try:
                user = await auth_gateway(platform).authenticate(token, scopes=[CHAT_READ])
            except InsufficientScope:
                await self._insufficient_scope(CHAT_READ)
                return CloseCode.NOT_A_MEMBER
            if user is None:
                return CloseCode.NOT_AUTHENTICATED
            try:
                await room_service(platform).ensure_member(self.room_id, user)
            except RoomNotFound:
                return CloseCode.NO_SUCH_ROOM
            except NotAMember:
                return CloseCode.NOT_A_MEMBER
            return user

    async def run(self) -> None:
        token = await self._token()
        if token is None:
            await self._close(CloseCode.NOT_AUTHENTICATED)
            return
        try:
            admitted = await self._admit(token)
        except PoolTimeout:  # every database connection busy
            admitted = CloseCode.TRY_AGAIN_LATER
        if isinstance(admitted, CloseCode):
            await self._close(admitted)
            return
        user = admitted
        # The posting limit counts per user, or per key for a key's socket (as over REST).
        self.websocket.state.user_id = user.id
        self.websocket.state.api_key_id = user.api_key_id
        try:
            slot = await self.slots.acquire(user.id)
        except RedisError:
            await self._close(CloseCode.TRY_AGAIN_LATER)
            return
        if slot is None:
            await self._close(CloseCode.TOO_MANY_SOCKETS)
            return
        try:
            await self._close(await self._join(user, token, slot))
        finally:
            with contextlib.suppress(RedisError):  # else the slot expires with its lease
                await slot.release()

    async def _join(self, user: Principal, token: str, slot: Lease) -> CloseCode | None:
        try:
            async with self.hub.join(self.room_id, user.id, user.session_id, user.api_key_id) as subscription:
                # Access that ended between admission and subscribing sent its close order too early
                # for this socket to see it: check once more, now that later orders reach it.
                if isinstance(refused := await self._admit(token), CloseCode):
                    return refused
                await self.websocket.send_json({"type": "ready", "room_id": self.room_id, "user_id": user.id})
                return await self._serve(user, token, slot, subscription)
        except (RedisError, TimeoutError, PoolTimeout):
            return CloseCode.TRY_AGAIN_LATER

    async def _serve(
        self, user: Principal, token: str, slot: Lease, subscription: Subscription
    ) -> CloseCode | None:
        """Until the client leaves (None) or the socket must close (the code)."""
        jobs: list[Coroutine[Any, Any, CloseCode | None]] = [
            self._receive(token),
            self._forward(subscription),
            # Apart from _forward, which may be stuck sending to a client that stopped reading.
            subscription.closed(),
            self._heartbeat(slot),
        ]
        if user.expires_at is not None:
            jobs.append(self._expire(user.expires_at))
        tasks = [asyncio.create_task(job) for job in jobs]
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        code = None
        for task in done:
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):  # the client is gone
                code = task.result() or code
        return code

    async def _close(self, code: CloseCode | None) -> None:
        if code is not None:
            # Bounded: the close frame queues behind whatever a client that stopped reading left
            # unread. Given up, the socket is closed by the server once this handler returns.
            with contextlib.suppress(WebSocketDisconnect, RuntimeError, TimeoutError):
                await asyncio.wait_for(self.websocket.close(code=code), CLOSE_TIMEOUT)

    async def _receive(self, token: str) -> CloseCode | None:
        while True:
            if (raw := await self._frame()) is None:
                return None
            if isinstance(raw, bytes):
                await self._error(
                    "invalid_frame", [{"loc": [], "msg": "Send JSON in text frames.", "type": "binary"}]
                )
                continue
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
            elif refused := await self._post(token, frame.body):
                return refused

    async def _post(self, token: str, body: str) -> CloseCode | None:
        """Stored after the checks of a REST post; refused with an error frame, or with the close
        code of access that ended."""
        retry_after = 0
        try:
            async with platform_context(self.resources) as platform:
                try:
                    author = await auth_gateway(platform).authenticate(token, scopes=[CHAT_WRITE])
                except InsufficientScope:
                    await self._insufficient_scope(CHAT_WRITE)
                    return None
                if author is None:
                    return CloseCode.NOT_AUTHENTICATED
                retry_after = await posting_limit.hit(self.websocket)
                if not retry_after:
                    await message_service(platform).post(self.room_id, author, body)
        except (NotAMember, RoomNotFound):
            return CloseCode.NOT_A_MEMBER
        except AppError as error:
            await self._error(error.code, [])
        except PoolTimeout:  # not stored, as a REST post would be 503: the socket stays
            await self._error("service_busy", [], retry_after=POOL_TIMEOUT_RETRY_AFTER)
        if retry_after:
            await self._error("rate_limited", [], retry_after=retry_after)
        return None

    async def _insufficient_scope(self, scope: str) -> None:
        """As a REST route answers a credential without the scope (403 `insufficient_scope`)."""
        await self._error("insufficient_scope", [], missing_scopes=[scope])

    async def _error(self, code: str, errors: list[dict[str, Any]], **extra: Any) -> None:
        await self.websocket.send_json({"type": "error", "code": code, "errors": errors, **extra})

    async def _forward(self, subscription: Subscription) -> CloseCode | None:
        async for event in subscription.events():
            await self.websocket.send_json(event)
        return subscription.close_code

    async def _heartbeat(self, slot: Lease) -> None:
        while True:
            await asyncio.sleep(self.config.WS_HEARTBEAT_INTERVAL)
            # Before the ping, which blocks while the client does not read: an open socket keeps
            # its slot, or a client could stop reading and open more sockets than the cap.
            with contextlib.suppress(RedisError):  # a lease that lapses frees the slot early
                await slot.renew()
            await self.websocket.send_json({"type": "ping"})

    async def _expire(self, expires_at: datetime) -> CloseCode:
        await asyncio.sleep(max(0.0, (expires_at - utcnow()).total_seconds()))
        return CloseCode.NOT_AUTHENTICATED
