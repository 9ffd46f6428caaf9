"""The chat's per-process machinery, started and stopped with the API (see app.core.modules)."""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from app.chat.config import ChatConfig
from app.chat.services.socket_hub import SocketHub
from app.core.resources import Resources

# The lifespan state's key of this process's hub (`websocket.state.chat_socket_hub`).
SOCKET_HUB = "chat_socket_hub"


@asynccontextmanager
async def lifespan(resources: Resources) -> AsyncIterator[Mapping[str, Any]]:
    hub = SocketHub(resources.redis, resources.settings(ChatConfig).CHANNEL_PREFIX)
    await hub.start()
    try:
        yield {SOCKET_HUB: hub}
    finally:
        await hub.stop()
