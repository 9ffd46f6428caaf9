"""The caller's own account and sessions."""

from typing import Annotated

from fastapi import APIRouter, Depends

from app.auth.deps import (
    AccountUser,
    AuditTrailDep,
    ProfileReader,
    ProfileWriter,
    RecentlyAuthenticatedUser,
    SessionServiceDep,
    UserServiceDep,
)
from app.auth.routes.v1.responses import step_up_responses
from app.auth.schemas.audit import (
    AuditSortParam,
    OwnEventFilterParam,
    OwnEventListParams,
    SecurityEventResponse,
)
from app.auth.schemas.auth import SessionResponse
from app.auth.schemas.user import PasswordChange, PasswordConfirmation, UserDetail, UserUpdate
from app.core.api import ListParamsBuilder, PaginatedResponse, ResourceId, error_responses

router = APIRouter(prefix="/profile", tags=["profile"])
event_params = ListParamsBuilder(OwnEventListParams, AuditSortParam, OwnEventFilterParam)


@router.get("", summary="My account", response_model=UserDetail, responses=error_responses(401, 403))
async def get_profile(user: ProfileReader, users: UserServiceDep) -> UserDetail:
    return UserDetail.model_validate(await users.get(user.id), from_attributes=True)


@router.patch(
    "",
    summary="Update my account",
    response_model=UserDetail,
    responses=step_up_responses(401, 403, 409, 422, 429, 503),
)
async def update_profile(body: UserUpdate, user: ProfileWriter, users: UserServiceDep) -> UserDetail:
    """Changing the email needs `current_password` (checks of it are limited per user, see
    `/profile/password`) and a recent authentication (401 `insufficient_user_authentication`
    otherwise, see `POST /auth/step-up`), and the new address must be verified; the old
    address is told, and reset links mailed to it stop working."""
    return UserDetail.model_validate(await users.update_profile(user, body), from_attributes=True)


@router.delete(
    "",
    summary="Delete my account",
    status_code=204,
    responses=step_up_responses(401, 403, 409, 422, 429, 503),
)
async def delete_profile(
    body: PasswordConfirmation, user: RecentlyAuthenticatedUser, users: UserServiceDep
) -> None:
    """Needs the password and a recent authentication (see `POST /auth/step-up`); ends every
    session. The username and email become free again."""
    await users.delete_profile(user, body.password.get_secret_value())


@router.post(
    "/password",
    summary="Change my password",
    status_code=204,
    responses=step_up_responses(401, 403, 422, 429, 503),
)
async def change_password(
    body: PasswordChange, user: RecentlyAuthenticatedUser, users: UserServiceDep
) -> None:
    """Needs the current password and a recent authentication (see `POST /auth/step-up`); every
    other session ends. At most
    AUTH_PASSWORD_CHECKS_PER_MINUTE checks of the current password per user and minute, here and
    on `PATCH /profile` and `DELETE /profile` together (429 with Retry-After)."""
    await users.change_password(
        user, body.current_password.get_secret_value(), body.new_password.get_secret_value()
    )


@router.get(
    "/sessions",
    summary="My signed-in devices",
    response_model=list[SessionResponse],
    responses=error_responses(401, 403),
)
async def list_sessions(user: AccountUser, sessions: SessionServiceDep) -> list[SessionResponse]:
    result = []
    for session in await sessions.list(user):
        item = SessionResponse.model_validate(session, from_attributes=True)
        result.append(item.model_copy(update={"current": session.id == user.session_id}))
    return result


@router.delete(
    "/sessions/{session_id}",
    summary="Sign out one of my devices",
    status_code=204,
    responses=error_responses(401, 403, 404, 422, 503),
)
async def revoke_session(session_id: ResourceId, user: AccountUser, sessions: SessionServiceDep) -> None:
    """The session's access token stops working at its next request."""
    await sessions.revoke(user, session_id)


@router.get(
    "/security-events",
    summary="My account's security events",
    response_model=PaginatedResponse[SecurityEventResponse],
    responses=error_responses(401, 403, 422),
)
async def list_security_events(
    params: Annotated[OwnEventListParams, Depends(event_params)], user: AccountUser, audit: AuditTrailDep
) -> PaginatedResponse[SecurityEventResponse]:
    """Sign-ins (failed ones included), password and email changes, ended sessions, and what
    administrators changed on the account; newest first. `sort` on created_at or id; `filters`
    on event, created_at (`created_at:gte:2026-01-01T00:00:00Z`) or id; `page`, `per_page`."""
    return PaginatedResponse[SecurityEventResponse].from_result(await audit.list_own(user, params))
