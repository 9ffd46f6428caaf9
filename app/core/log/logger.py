"""`logger`: the application's logger with sync and async methods.

    from app.core.deps import logger

    logger.info("user created", user_id=user.id)
    await logger.a_info("user created", user_id=user.id)

The async variants hand formatting and I/O to a thread so a slow log sink never blocks the loop.
"""

from abc import ABC, abstractmethod
from typing import Any, Self

import structlog


class LogServiceInterface(ABC):
    """What code may rely on; context variables (request id, task, outbox id) are merged in."""

    @abstractmethod
    def bind(self, **context: Any) -> Self: ...

    @abstractmethod
    def debug(self, event: str, **context: Any) -> None: ...

    @abstractmethod
    def info(self, event: str, **context: Any) -> None: ...

    @abstractmethod
    def warning(self, event: str, **context: Any) -> None: ...

    @abstractmethod
    def error(self, event: str, **context: Any) -> None: ...

    @abstractmethod
    def exception(self, event: str, **context: Any) -> None: ...

    @abstractmethod
    async def a_debug(self, event: str, **context: Any) -> None: ...

    @abstractmethod
    async def a_info(self, event: str, **context: Any) -> None: ...

    @abstractmethod
    async def a_warning(self, event: str, **context: Any) -> None: ...

    @abstractmethod
    async def a_error(self, event: str, **context: Any) -> None: ...

    @abstractmethod
    async def a_exception(self, event: str, **context: Any) -> None: ...


class LogService(LogServiceInterface):
    """The structlog implementation."""

    def __init__(self, logger: structlog.stdlib.BoundLogger | None = None) -> None:
        self._logger: structlog.stdlib.BoundLogger = logger or structlog.stdlib.get_logger("app")

    def bind(self, **context: Any) -> Self:
        return type(self)(self._logger.bind(**context))

    def debug(self, event: str, **context: Any) -> None:
        self._logger.debug(event, **context)

    def info(self, event: str, **context: Any) -> None:
        self._logger.info(event, **context)

    def warning(self, event: str, **context: Any) -> None:
        self._logger.warning(event, **context)

    def error(self, event: str, **context: Any) -> None:
        self._logger.error(event, **context)

    def exception(self, event: str, **context: Any) -> None:
        """Error level with the current exception's traceback."""
        self._logger.exception(event, **context)

    async def a_debug(self, event: str, **context: Any) -> None:
        await self._logger.adebug(event, **context)

    async def a_info(self, event: str, **context: Any) -> None:
        await self._logger.ainfo(event, **context)

    async def a_warning(self, event: str, **context: Any) -> None:
        await self._logger.awarning(event, **context)

    async def a_error(self, event: str, **context: Any) -> None:
        await self._logger.aerror(event, **context)

    async def a_exception(self, event: str, **context: Any) -> None:
        await self._logger.aexception(event, **context)


logger = LogService()
