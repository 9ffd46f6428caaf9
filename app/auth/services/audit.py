"""The audit log: security events, recorded in the transaction of the action they record.

Services call `record` next to the change it describes, so the entry commits with the change and
rolls back with it. A failure that fails the request (a wrong password) is recorded with
`record_failure`: the request's transaction rolls back on that error, and the unit of work then
writes the entry in a short transaction of its own (`UnitOfWork.add_despite_rollback`). Who sent
the request (client address, user agent, request id) comes from the platform's `request`;
tasks and CLI commands have none, and their entries leave those fields empty.
"""

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from app.auth.models import AuditEntry
from app.auth.repositories.audit_entry import AuditEntryRepository
from app.auth.schemas.audit import (
    NEWEST_FIRST,
    SHOWN_TO_USER,
    AuditEvent,
    AuditListParams,
    OwnEventListParams,
    SecurityEventResponse,
)
from app.auth.schemas.principal import Principal
from app.core.clock import utcnow
from app.core.db import PaginatedResult
from app.core.log import is_secret_key
from app.core.request_info import RequestInfo

# The column sizes of audit_event.
MAX_USER_AGENT = 300
MAX_CLIENT_ADDRESS = 64
MAX_REQUEST_ID = 128


# Tasks and CLI commands: nobody sent a request.
NO_REQUEST = RequestInfo(client_address=None, user_agent=None, request_id=None)


def _bounded(value: str | None, length: int) -> str | None:
    return value[:length] if value else None


class AuditTrail:
    def __init__(
        self,
        entries: AuditEntryRepository,
        *,
        add_despite_rollback: Callable[[Callable[[], object]], None],
        request: RequestInfo | None,
    ) -> None:
        self._entries = entries
        self._add_despite_rollback = add_despite_rollback
        self._request = request or NO_REQUEST

    async def record(
        self,
        event: AuditEvent,
        *,
        actor_id: int | None,
        target_id: int | None,
        details: Mapping[str, object] | None = None,
    ) -> None:
        """Add an entry to the current transaction: it commits with the action it records.

        `actor_id`: who acted (None: nobody signed in, or a task); `target_id`: whose account it
        concerns. `details`: a few JSON values, never a secret (a secret-looking key is refused);
        a user sees only the keys listed in SHOWN_TO_USER, administrators see all."""
        self._entries.add(self._values(event, actor_id, target_id, details))

    async def record_failure(
        self,
        event: AuditEvent,
        *,
        actor_id: int | None,
        target_id: int | None,
        details: Mapping[str, object] | None = None,
    ) -> None:
        """Like `record`, for an event whose own error fails the request (a failed sign-in): the
        entry is written whether the request's transaction commits or rolls back, once."""
        values = self._values(event, actor_id, target_id, details)
        self._add_despite_rollback(partial(AuditEntry, **values))

    def _values(
        self,
        event: AuditEvent,
        actor_id: int | None,
        target_id: int | None,
        details: Mapping[str, object] | None,
    ) -> dict[str, Any]:
        # An identifier is no secret: `api_key_id`, `token_id` name what a secret opens, not the secret.
        secret = [key for key in details or () if is_secret_key(key) and not key.endswith(("_id", "_ids"))]
        if secret:
            raise ValueError(f"audit details never hold secrets; rename {secret[0]!r} if it is not one")
        request = self._request
        return {
            "event": event.value,
            "actor_id": actor_id,
            "target_id": target_id,
            "client_address": _bounded(request.client_address, MAX_CLIENT_ADDRESS),
            "user_agent": _bounded(request.user_agent, MAX_USER_AGENT),
            "request_id": _bounded(request.request_id, MAX_REQUEST_ID),
            "details": dict(details or {}),
            "created_at": utcnow(),
        }

    async def list(self, params: AuditListParams) -> PaginatedResult[AuditEntry]:
        """Every entry, for administrators; newest first unless sorted otherwise."""
        return await self._entries.list(params.model_copy(update={"sort": params.sort or NEWEST_FIRST}))

    async def list_own(
        self, principal: Principal, params: OwnEventListParams
    ) -> PaginatedResult[SecurityEventResponse]:
        """The caller's own events (as actor or target), without what is internal."""
        params = params.model_copy(update={"sort": params.sort or NEWEST_FIRST})
        page = await self._entries.list_for_user(params, principal.id)
        return page.map(partial(_as_seen_by, principal.id))


def _as_seen_by(user_id: int, entry: AuditEntry) -> SecurityEventResponse:
    # An administrator's address and browser are theirs, not the user's to see.
    client_shown = entry.actor_id in (None, user_id)
    return SecurityEventResponse(
        id=entry.id,
        event=AuditEvent(entry.event),
        actor_id=entry.actor_id,
        target_id=entry.target_id,
        client_address=entry.client_address if client_shown else None,
        user_agent=entry.user_agent if client_shown else None,
        details={key: value for key, value in entry.details.items() if key in SHOWN_TO_USER},
        created_at=entry.created_at,
    )
