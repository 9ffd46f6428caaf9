"""Who a request counts against: its client address, or the authenticated user (or API key)."""

from collections.abc import Awaitable, Callable, Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address

from starlette.requests import HTTPConnection

Network = IPv4Network | IPv6Network
Identity = Callable[[HTTPConnection, Sequence[Network]], Awaitable[str]]


def _trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        parsed = ip_address(address.strip())
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def client_address(connection: HTTPConnection, trusted_proxies: Sequence[Network]) -> str:
    """The socket peer, unless that peer is a trusted proxy: then the nearest address in
    X-Forwarded-For that is not a trusted proxy (read right to left, since a client can put
    anything at the left of the header)."""
    peer = connection.client.host if connection.client else "unknown"
    if not trusted_proxies or not _trusted(peer, trusted_proxies):
        return peer
    forwarded = connection.headers.get("x-forwarded-for", "")
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if not _trusted(hop, trusted_proxies):
            try:
                return str(ip_address(hop))
            except ValueError:
                return peer
    return peer


async def by_ip(connection: HTTPConnection, trusted_proxies: Sequence[Network]) -> str:
    return f"ip:{client_address(connection, trusted_proxies)}"


async def by_user(connection: HTTPConnection, trusted_proxies: Sequence[Network]) -> str:
    """Who the auth dependency says is calling: the API key a request was made with
    (`state.api_key_id`: each key has a budget of its own), else the user (`state.user_id`: all
    their sessions share one); the client address for anonymous requests. Declare the limiter
    after the auth dependency."""
    api_key_id = getattr(connection.state, "api_key_id", None)
    if api_key_id is not None:
        return f"key:{api_key_id}"
    user_id = getattr(connection.state, "user_id", None)
    if user_id is not None:
        return f"user:{user_id}"
    return await by_ip(connection, trusted_proxies)
