from ipaddress import IPv4Network, IPv6Network
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode


class ServerSettings(BaseSettings):
    """How `python -m app.cli serve` runs uvicorn (and whom the rate limiter believes)."""

    # Reverse proxies / load balancers in front of the API (addresses or networks, e.g.
    # 10.0.0.0/8). Only a connection from one of them may name the client and scheme with
    # X-Forwarded-For / X-Forwarded-Proto. Empty: nobody, the socket peer is the client (a client
    # could otherwise pick any address and escape every per-address rate limit).
    TRUSTED_PROXIES: Annotated[list[IPv4Network | IPv6Network], NoDecode] = Field(default_factory=list)
    # Largest WebSocket message accepted; a bigger one closes the socket with 1009. A chat frame
    # carries at most 4,000 characters (under 48 KiB even with every character JSON-escaped);
    # uvicorn's own default (16 MiB) lets each socket make the server buffer that much.
    SERVER_WS_MAX_BYTES: int = Field(default=64 * 1024, ge=1024)
    # Seconds a stopping server waits for requests in flight (SIGTERM) before cancelling them:
    # a slow client must not hold a deploy forever. Below Docker's 10 s stop grace period, so
    # the application's own shutdown still runs before SIGKILL.
    SERVER_SHUTDOWN_TIMEOUT: int = Field(default=8, ge=1)

    @field_validator("TRUSTED_PROXIES", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @property
    def forwarded_allow_ips(self) -> list[str]:
        """TRUSTED_PROXIES as uvicorn's `forwarded_allow_ips` takes them."""
        return [str(network) for network in self.TRUSTED_PROXIES]
