"""Fixtures of the auth tests."""

from collections.abc import Iterator
from typing import Any

import pytest

from app.auth import AccessRevoked
from app.core.events import ListenedEvent, listener

_revocations: list[dict[str, Any]] = []


@listener(AccessRevoked)
async def _record_revocation(event: ListenedEvent) -> None:
    _revocations.append(event.data)


@pytest.fixture
def access_revoked() -> Iterator[list[dict[str, Any]]]:
    """The AccessRevoked events delivered during the test, in order."""
    _revocations.clear()
    yield _revocations
    _revocations.clear()
