"""A request's platform knows who sent it (client address as the rate limiter counts it, user
agent, request id); a task's or a CLI command's platform has no request."""

from ipaddress import IPv4Network

import structlog
from starlette.requests import HTTPConnection

from app.core.config import AppConfig
from app.core.deps import request_info
from app.core.platform import Platform


def _connection(peer: str | None, **headers: str) -> HTTPConnection:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "client": (peer, 50000) if peer else None,
        "headers": [
            (name.lower().replace("_", "-").encode(), value.encode()) for name, value in headers.items()
        ],
    }
    return HTTPConnection(scope)


def test_without_trusted_proxies_the_peer_is_the_client(app_config: AppConfig) -> None:
    connection = _connection("203.0.113.7", x_forwarded_for="198.51.100.1", user_agent="Agent/1.0")
    with structlog.contextvars.bound_contextvars(request_id="req-0123456789"):
        info = request_info(connection, app_config.model_copy(update={"TRUSTED_PROXIES": []}))
    assert (info.client_address, info.user_agent, info.request_id) == (
        "203.0.113.7",
        "Agent/1.0",
        "req-0123456789",
    )


def test_behind_a_trusted_proxy_the_forwarded_client_counts(app_config: AppConfig) -> None:
    config = app_config.model_copy(update={"TRUSTED_PROXIES": [IPv4Network("10.0.0.0/8")]})
    # The client may prepend anything; the proxy appends the address it saw.
    connection = _connection("10.0.0.5", x_forwarded_for="192.0.2.66, 198.51.100.1")
    info = request_info(connection, config)
    assert info.client_address == "198.51.100.1"
    assert info.user_agent is None
    assert info.request_id is None


def test_no_client_is_no_address(app_config: AppConfig) -> None:
    assert request_info(_connection(None), app_config).client_address is None


async def test_a_task_platform_has_no_request(platform: Platform) -> None:
    assert platform.request is None
