"""The one clock of the application.

Every timestamp comes from here so that it is always timezone-aware UTC and so that tests
can freeze or move time with freezegun in one place.
"""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)
