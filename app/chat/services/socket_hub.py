"""SocketHub: one Redis pub/sub connection per API process, shared by all its room sockets.

A socket joins the hub for its room. The hub subscribes to a room's channel while any socket of
this process is in the room (and to the control channel all along), hands each room event to
the room's sockets here, and closes the sockets a close order matches. One connection for all
also keeps Redis's order between the two kinds: a close order published before a message is
applied before that message could be delivered.

Pub/sub delivers at most once: what is published while the connection is down is lost (the
hub reconnects and subscribes again). Sockets therefore also re-check access on every post and
close when their token expires, whatever reaches them.
"""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import orjson
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.chat.services.fanout import CloseCode, CloseOrder, control_channel, room_channel
from app.core.log import logger

# Room events waiting for one socket's client to read them. A client that falls this far behind
# is closed (it reconnects and catches up over REST) rather than growing the process's memory.
QUEUE_SIZE = 1000
# How long a socket waits for Redis to confirm its room's subscription before giving up.
SUBSCRIBE_TIMEOUT = 5.0
RECONNECT_DELAY = 1.0
# The reader looks up from a quiet connection this often to see whether the hub is stopping:
# cancelling a read blocked inside redis-py did not always end it (seen under asgi-lifespan).
READ_POLL = 1.0
_ERROR_LOG_INTERVAL = 30.0
_CLOSED = object()


class Subscription:
    """One socket's place in the hub: its room's events until a close order ends it."""

    def __init__(self, room_id: int, user_id: int, session_id: int, api_key_id: int | None = None) -> None:
        self.room_id, self.user_id, self.session_id = room_id, user_id, session_id
        # The API key the socket authenticated with (then session_id is 0), or None.
        self.api_key_id = api_key_id
        self.close_code: CloseCode | None = None
        self._queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_SIZE + 1)  # + room for _CLOSED
        self._closed = asyncio.Event()

    def matches(self, order: CloseOrder) -> bool:
        return (
            order.room_id in (None, self.room_id)
            and order.user_id in (None, self.user_id)
            and order.session_id in (None, self.session_id)
            and order.api_key_id in (None, self.api_key_id)
        )

    def deliver(self, event: dict[str, Any]) -> None:
        if self.close_code is not None:
            return
        if self._queue.qsize() >= QUEUE_SIZE:
            self.close(CloseCode.TRY_AGAIN_LATER)
            return
        self._queue.put_nowait(event)

    def close(self, code: CloseCode) -> None:
        """Nothing more is delivered, not even what is already queued."""
        if self.close_code is not None:
            return
        self.close_code = code
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(_CLOSED)
        self._closed.set()

    async def closed(self) -> CloseCode | None:
        """The close code, once the socket must close."""
        await self._closed.wait()
        return self.close_code

    async def events(self) -> AsyncIterator[dict[str, Any]]:
        """The room's events; ends when the socket must close (with `close_code`)."""
        while (event := await self._queue.get()) is not _CLOSED:
            yield event


class SocketHub:
    def __init__(self, redis: Redis, channel_prefix: str) -> None:
        self._pubsub = redis.pubsub()
        self._prefix = channel_prefix
        self._control = control_channel(channel_prefix)
        self._rooms: dict[int, set[Subscription]] = {}
        # Channel name -> set once Redis confirmed the subscription (cleared while disconnected).
        self._confirmed: dict[str, asyncio.Event] = {self._control: asyncio.Event()}
        # SUBSCRIBEs sent per channel and not yet confirmed: a socket that left before its
        # confirmation came leaves one behind, which must not mark a later join as subscribed
        # while that socket's UNSUBSCRIBE and the new SUBSCRIBE are still on their way.
        self._unconfirmed: dict[str, int] = {}
        self._commands = asyncio.Lock()  # one SUBSCRIBE/UNSUBSCRIBE at a time
        self._reader: asyncio.Task[None] | None = None
        self._stopping = False
        self._last_error_logged = -_ERROR_LOG_INTERVAL

    async def start(self) -> None:
        """Connects in the background: a process starts while Redis is still coming up."""
        self._reader = asyncio.create_task(self._read(), name="chat-socket-hub")

    async def stop(self) -> None:
        self._stopping = True
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._pubsub.aclose()  # type: ignore[no-untyped-call]

    @contextlib.asynccontextmanager
    async def join(
        self, room_id: int, user_id: int, session_id: int, api_key_id: int | None = None
    ) -> AsyncIterator[Subscription]:
        """Subscribed on entry (nothing published afterwards is missed, close orders included).
        Raises RedisError or TimeoutError when Redis cannot confirm the subscription."""
        subscription = Subscription(room_id, user_id, session_id, api_key_id)
        channel = room_channel(self._prefix, room_id)
        members = self._rooms.setdefault(room_id, set())
        members.add(subscription)
        try:
            async with asyncio.timeout(SUBSCRIBE_TIMEOUT):
                # The reader opens the connection with the control channel: rooms come after.
                await self._confirmed[self._control].wait()
                if channel not in self._confirmed:
                    self._confirmed[channel] = asyncio.Event()
                    self._unconfirmed[channel] = self._unconfirmed.get(channel, 0) + 1
                    async with self._commands:
                        await self._pubsub.subscribe(channel)
                await self._confirmed[channel].wait()
            yield subscription
        finally:
            members.discard(subscription)
            if not members and self._rooms.get(room_id) is members:
                del self._rooms[room_id]
                await self._unsubscribe(channel)

    async def _unsubscribe(self, channel: str) -> None:
        self._confirmed.pop(channel, None)
        try:
            async with self._commands:
                await self._pubsub.unsubscribe(channel)
        except RedisError as error:  # reconnecting: the hub ignores the channel's messages
            self._log_error(error)

    async def _read(self) -> None:
        while not self._stopping:
            try:
                if not self._pubsub.subscribed:
                    async with self._commands:
                        await self._pubsub.subscribe(self._control)
                message = await self._pubsub.get_message(timeout=READ_POLL)
            except Exception as error:  # whatever broke, the hub must keep reading
                # redis-py subscribes again on reconnect; those confirmations set these anew.
                for confirmed in self._confirmed.values():
                    confirmed.clear()
                self._unconfirmed.clear()
                self._log_error(error)
                await asyncio.sleep(RECONNECT_DELAY)
                continue
            try:
                if message is not None:
                    self._handle(message)
            except Exception:  # one bad message must not stop every socket of the process
                logger.exception("chat socket hub: message dropped")

    def _handle(self, message: dict[str, Any]) -> None:
        if message["channel"] is None:  # a pong
            return
        channel = message["channel"].decode()
        if message["type"] == "subscribe":
            waiting = self._unconfirmed.pop(channel, 1) - 1
            if waiting > 0:
                self._unconfirmed[channel] = waiting
            elif channel in self._confirmed:
                self._confirmed[channel].set()
        elif message["type"] != "message":
            return
        elif channel == self._control:
            self._apply(message["data"])
        else:
            room_id = int(channel.rsplit(":", 1)[1])
            event = orjson.loads(message["data"])
            for subscription in self._rooms.get(room_id, ()):
                subscription.deliver(event)

    def _apply(self, data: bytes) -> None:
        try:
            order = CloseOrder.model_validate_json(data)
        except ValidationError:
            logger.warning("malformed close order ignored")
            return
        rooms = [self._rooms.get(order.room_id, set())] if order.room_id is not None else self._rooms.values()
        for members in rooms:
            for subscription in members:
                if subscription.matches(order):
                    subscription.close(order.code)

    def _log_error(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._last_error_logged >= _ERROR_LOG_INTERVAL:
            self._last_error_logged = now
            logger.warning("chat socket hub: Redis unavailable, reconnecting", error=repr(error))
