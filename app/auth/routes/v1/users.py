"""The user directory: public fields for everyone signed in, everything for administrators."""

from typing import Annotated

from fastapi import APIRouter, Depends

from app.auth.deps import DirectoryReader, UserServiceDep
from app.auth.policies.users import can_see_private_fields
from app.auth.schemas.user import UserDetail, UserFilterParam, UserListParams, UserPublic, UserSortParam
from app.core.api import ListParamsBuilder, ModelResponse, PaginatedResponse, ResourceId, error_responses

router = APIRouter(prefix="/users", tags=["users"])
list_params = ListParamsBuilder(UserListParams, UserSortParam, UserFilterParam)


@router.get(
    "",
    summary="List users",
    response_model=PaginatedResponse[UserDetail] | PaginatedResponse[UserPublic],
    responses=error_responses(401, 403, 422),
)
async def list_users(
    params: Annotated[UserListParams, Depends(list_params)], viewer: DirectoryReader, users: UserServiceDep
) -> ModelResponse:
    """`sort`, `filters`, `page`, `per_page` as everywhere; ordinary users may sort and filter on
    id, username and created_at only, and see active accounts' public fields."""
    page = await users.list(params, viewer)
    view = PaginatedResponse[UserDetail] if viewer.is_admin else PaginatedResponse[UserPublic]
    return ModelResponse(view.from_result(page))


@router.get(
    "/{user_id}",
    summary="Get a user",
    response_model=UserDetail | UserPublic,
    responses=error_responses(401, 403, 404, 422),
)
async def get_user(user_id: ResourceId, viewer: DirectoryReader, users: UserServiceDep) -> ModelResponse:
    user = await users.get(user_id, viewer)
    view = UserDetail if can_see_private_fields(viewer, user.id) else UserPublic
    return ModelResponse(view.model_validate(user, from_attributes=True))
