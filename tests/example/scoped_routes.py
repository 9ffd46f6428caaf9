"""Routes behind scopes, as another module writes them (through app.auth): one that API keys with
its scope may reach, limited per caller, and one that names no scope (sessions only)."""

from typing import Annotated

from fastapi import APIRouter, Depends

from app.auth import ActiveUser, Principal, Scoped, declare_scope
from app.core.api import error_responses
from app.core.limiter import ConfigurableRateLimiter

EXAMPLE_READ = declare_scope("example:read", "Read the example module's scoped routes.")

router = APIRouter(prefix="/scoped", tags=["example"])
per_caller = ConfigurableRateLimiter(2, 60, key="user", name="example.scoped")


@router.get("", summary="Needs example:read; 2 a minute per caller", responses=error_responses(401, 403, 429))
async def scoped(
    user: Annotated[Principal, Scoped(EXAMPLE_READ)], _: Annotated[None, Depends(per_caller)]
) -> dict[str, int | None]:
    return {"user_id": user.id, "api_key_id": user.api_key_id}


@router.get("/sessions-only", summary="Names no scope", responses=error_responses(401, 403))
async def sessions_only(user: ActiveUser) -> dict[str, int]:
    return {"user_id": user.id}
