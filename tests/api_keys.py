"""Creating API keys through the API, for the tests of any module."""

from typing import Any

import httpx

from tests.users import API

KEYS = f"{API}/profile/api-keys"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def new_key(
    client: httpx.AsyncClient, session: dict[str, str], scopes: list[str], **fields: Any
) -> tuple[dict[str, Any], dict[str, str]]:
    """(the creation response, headers that authenticate with the key), created by `session`."""
    body = {"name": "ci", "scopes": scopes, **fields}
    response = await client.post(KEYS, json=body, headers=session)
    assert response.status_code == 201, response.text
    created = response.json()
    return created, bearer(created["token"])
