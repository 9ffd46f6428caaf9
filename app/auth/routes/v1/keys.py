"""The caller's API keys (personal access tokens). Managed from a signed-in session only: a key
can neither see nor create nor revoke keys (the `account` scope is never a key's)."""

from fastapi import APIRouter

from app.auth.deps import AccountUser, ApiKeyServiceDep, RecentlyAuthenticatedUser
from app.auth.models import ApiKey
from app.auth.routes.v1.responses import step_up_responses
from app.auth.schemas.api_key import ApiKeyCreate, ApiKeyResponse, NewApiKey
from app.core.api import ResourceId, error_responses

router = APIRouter(prefix="/profile/api-keys", tags=["profile"])


def _listed(key: ApiKey) -> ApiKeyResponse:
    return ApiKeyResponse.model_validate(key, from_attributes=True)


@router.post(
    "",
    summary="Create an API key",
    status_code=201,
    response_model=NewApiKey,
    responses=step_up_responses(401, 403, 409, 422),
)
async def create_key(
    body: ApiKeyCreate, user: RecentlyAuthenticatedUser, keys: ApiKeyServiceDep
) -> NewApiKey:
    """Needs a recent authentication (see `POST /auth/step-up`): a key outlives the session that
    made it. The response carries the key (`token`), shown this once: send it as
    `Authorization: Bearer <token>`. It holds the scopes given (never `account` or `admin`) as
    long as its owner's role has them, until it expires or is revoked. The owner is emailed. At
    most AUTH_API_KEYS_PER_USER keys at once (409 `api_key_limit_reached`)."""
    key, token = await keys.create(user, body)
    return NewApiKey(**_listed(key).model_dump(), token=token)


@router.get(
    "", summary="My API keys", response_model=list[ApiKeyResponse], responses=error_responses(401, 403)
)
async def list_keys(user: AccountUser, keys: ApiKeyServiceDep) -> list[ApiKeyResponse]:
    """Keys not revoked, newest first (expired ones too, until revoked); never their secret."""
    return [_listed(key) for key in await keys.list_own(user)]


@router.delete(
    "/{key_id}",
    summary="Revoke one of my API keys",
    status_code=204,
    responses=error_responses(401, 403, 404, 422),
)
async def revoke_key(key_id: ResourceId, user: AccountUser, keys: ApiKeyServiceDep) -> None:
    """The key stops working at its next request, on every server; its open WebSockets close."""
    await keys.revoke(user, key_id)
