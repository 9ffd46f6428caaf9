"""User administration (admins and super admins), within the role hierarchy."""

from fastapi import APIRouter

from app.auth.deps import AdminUser, ApiKeyServiceDep, RecentAdminUser, RecentSuperAdminUser, UserServiceDep
from app.auth.models import Role
from app.auth.routes.v1.responses import step_up_responses
from app.auth.schemas.api_key import ApiKeyResponse, RevokedApiKeys
from app.auth.schemas.user import Password, StrictModel, UserCreate, UserDetail
from app.core.api import ResourceId, error_responses

router = APIRouter(prefix="/admin/users", tags=["admin"])
ERRORS = error_responses(401, 403, 404, 409, 422, 503)
# Role and status changes, creating and deleting accounts and setting a password need a recent
# authentication (RFC 9470 step-up): each could take an account over or hand out a role.
STEP_UP_ERRORS = step_up_responses(401, 403, 404, 409, 422, 503)


class AdminUserCreate(UserCreate):
    role: Role = Role.USER


class PasswordSet(StrictModel):
    password: Password


def _detail(user: object) -> UserDetail:
    return UserDetail.model_validate(user, from_attributes=True)


@router.post(
    "", summary="Create an account", status_code=201, response_model=UserDetail, responses=STEP_UP_ERRORS
)
async def create_user(body: AdminUserCreate, admin: RecentAdminUser, users: UserServiceDep) -> UserDetail:
    """Only roles below the caller's. The address counts as verified; no password is mailed."""
    data = UserCreate(email=body.email, username=body.username, password=body.password)
    return _detail(await users.create_by_admin(admin, data, body.role))


@router.post(
    "/{user_id}/deactivate",
    summary="Deactivate an account",
    response_model=UserDetail,
    responses=STEP_UP_ERRORS,
)
async def deactivate(user_id: ResourceId, admin: RecentAdminUser, users: UserServiceDep) -> UserDetail:
    """Ends every session of the account and retires its access tokens."""
    return _detail(await users.set_active(admin, user_id, active=False))


@router.post(
    "/{user_id}/reactivate",
    summary="Reactivate an account",
    response_model=UserDetail,
    responses=STEP_UP_ERRORS,
)
async def reactivate(user_id: ResourceId, admin: RecentAdminUser, users: UserServiceDep) -> UserDetail:
    return _detail(await users.set_active(admin, user_id, active=True))


@router.post(
    "/{user_id}/grant-admin",
    summary="Make an account an admin",
    response_model=UserDetail,
    responses=STEP_UP_ERRORS,
)
async def grant_admin_role(
    user_id: ResourceId, admin: RecentSuperAdminUser, users: UserServiceDep
) -> UserDetail:
    return _detail(await users.set_admin(admin, user_id, admin=True))


@router.post(
    "/{user_id}/revoke-admin",
    summary="Make an admin a user",
    response_model=UserDetail,
    responses=STEP_UP_ERRORS,
)
async def revoke_admin_role(
    user_id: ResourceId, admin: RecentSuperAdminUser, users: UserServiceDep
) -> UserDetail:
    return _detail(await users.set_admin(admin, user_id, admin=False))


@router.delete("/{user_id}", summary="Delete an account", status_code=204, responses=STEP_UP_ERRORS)
async def delete_user(user_id: ResourceId, admin: RecentAdminUser, users: UserServiceDep) -> None:
    """Only accounts with a lower role than the caller's. As when users delete their own account:
    every session ends, and the username and email become free again."""
    await users.delete_by_admin(admin, user_id)


@router.post(
    "/{user_id}/password", summary="Set a subordinate's password", status_code=204, responses=STEP_UP_ERRORS
)
async def set_password(
    user_id: ResourceId, body: PasswordSet, admin: RecentAdminUser, users: UserServiceDep
) -> None:
    """Ends every session of the account."""
    await users.set_password_by_admin(admin, user_id, body.password.get_secret_value())


@router.get(
    "/{user_id}/api-keys",
    summary="An account's API keys",
    response_model=list[ApiKeyResponse],
    responses=error_responses(401, 403, 404, 422),
)
async def list_user_keys(
    user_id: ResourceId, admin: AdminUser, keys: ApiKeyServiceDep
) -> list[ApiKeyResponse]:
    """Keys not revoked, newest first; never their secret."""
    return [
        ApiKeyResponse.model_validate(key, from_attributes=True)
        for key in await keys.list_for(admin, user_id)
    ]


@router.delete(
    "/{user_id}/api-keys",
    summary="Revoke every API key of an account",
    response_model=RevokedApiKeys,
    responses=error_responses(401, 403, 404, 422),
)
async def revoke_user_keys(user_id: ResourceId, admin: AdminUser, keys: ApiKeyServiceDep) -> RevokedApiKeys:
    """They stop working at their next request, on every server."""
    return RevokedApiKeys(revoked=await keys.revoke_all_for(admin, user_id))


@router.delete(
    "/{user_id}/api-keys/{key_id}",
    summary="Revoke an API key of an account",
    status_code=204,
    responses=error_responses(401, 403, 404, 422),
)
async def revoke_user_key(
    user_id: ResourceId, key_id: ResourceId, admin: AdminUser, keys: ApiKeyServiceDep
) -> None:
    await keys.revoke_for(admin, user_id, key_id)
