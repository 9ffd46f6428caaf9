"""Fixtures of the auth tests."""

from collections.abc import Iterator

import pytest

from tests.example.listeners import revocations


@pytest.fixture
def access_revoked() -> Iterator[list[dict[str, object]]]:
    """The AccessRevoked events delivered during the test, in order (heard by the example
    module's listener, installed in the test app)."""
    revocations.clear()
    yield revocations
    revocations.clear()
