from ipaddress import IPv4Network, IPv6Network
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode


class RateLimiterSettings(BaseSettings):
    RATE_LIMITER_ENABLED: bool = True
    RATE_LIMITER_PREFIX: str = "ratelimit"
    # X-Forwarded-For is honoured only when the socket peer is in one of these networks
    # (your load balancer or reverse proxy); otherwise the peer address is the client.
    RATE_LIMITER_TRUSTED_PROXIES: Annotated[list[IPv4Network | IPv6Network], NoDecode] = Field(
        default_factory=list
    )

    @field_validator("RATE_LIMITER_TRUSTED_PROXIES", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value
