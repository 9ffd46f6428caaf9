"""Who sent the request a unit of work serves, for records of what it did (the audit log).

A request's platform carries one, built by `app.core.deps` from the connection; tasks, listeners
and CLI commands have none (their platform's `request` is None), since no client asked for them.
Plain data, so services read it without importing the web framework.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestInfo:
    # As the rate limiter counts it: the socket peer, or the nearest address in X-Forwarded-For
    # that is not a trusted proxy when the peer is one (app.core.limiter.identity).
    client_address: str | None
    # The User-Agent header as sent, unbounded: whoever stores it bounds it to its column.
    user_agent: str | None
    # The id the request-context middleware bound to every log line of the request.
    request_id: str | None
