"""Where the links in emails lead: a front end's pages, or the pages the API serves itself."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import ValidationInfo, field_validator
from pydantic_settings import BaseSettings

# Where `make run` serves the API: the address links use in development and testing when
# PUBLIC_API_URL is unset.
DEVELOPMENT_API_URL = "http://127.0.0.1:8000"


def _base_url(value: str | None, name: str) -> str | None:
    """An http(s) address without query or fragment, with no trailing slash (paths are appended)."""
    if value is None:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"{name} must be an http:// or https:// address, without query or fragment")
    return value.strip().rstrip("/")


@dataclass(frozen=True)
class EmailLinks:
    """Builds the links of an email. A front end, when there is one, owns every page a link opens;
    without one, links lead to the API (its small pages, or the resource itself)."""

    frontend_url: str | None
    # The API's public address with its prefix (http://127.0.0.1:8000/api/v1); None when unknown.
    api_url: str | None

    @property
    def to_frontend(self) -> bool:
        return self.frontend_url is not None

    def link(self, *, frontend: str, api: str) -> str:
        """`frontend` (a path of the front end) under FRONTEND_URL when it is set, else `api` (a
        path under the API prefix) at the API's public address."""
        if self.frontend_url is not None:
            return self.frontend_url + frontend
        if self.api_url is not None:
            return self.api_url + api
        # Settings that lead here are refused at startup (see AppConfig).
        raise RuntimeError("email links need FRONTEND_URL or PUBLIC_API_URL")


class LinkSettings(BaseSettings):
    # The front end whose pages email links open (verify-email, reset-password, chat rooms and
    # exports). Links never take their host from a request's Host header: a forged one would
    # send reset tokens elsewhere. Unset: links lead to the API itself (PUBLIC_API_URL).
    FRONTEND_URL: str | None = None
    # The API's address as browsers reach it (scheme, host, port; no path). Unset: in development
    # and testing DEVELOPMENT_API_URL; elsewhere unknown, so a deployment without FRONTEND_URL
    # must name it (it refuses to start otherwise).
    PUBLIC_API_URL: str | None = None

    @field_validator("FRONTEND_URL", "PUBLIC_API_URL")
    @classmethod
    def _address(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _base_url(value, info.field_name or "the address")
