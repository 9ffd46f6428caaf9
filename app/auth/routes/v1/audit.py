"""The audit log, for administrators."""

from typing import Annotated

from fastapi import APIRouter, Depends

from app.auth.deps import AdminUser, AuditTrailDep
from app.auth.schemas.audit import AuditEntryResponse, AuditFilterParam, AuditListParams, AuditSortParam
from app.core.api import ListParamsBuilder, PaginatedResponse, error_responses

router = APIRouter(prefix="/admin/audit", tags=["admin"])
list_params = ListParamsBuilder(AuditListParams, AuditSortParam, AuditFilterParam)


@router.get(
    "",
    summary="The audit log",
    response_model=PaginatedResponse[AuditEntryResponse],
    responses=error_responses(401, 403, 422),
)
async def list_audit_entries(
    params: Annotated[AuditListParams, Depends(list_params)], admin: AdminUser, audit: AuditTrailDep
) -> PaginatedResponse[AuditEntryResponse]:
    """Security events of every account, newest first, with their internal details (why a
    sign-in failed). `filters` on `actor_id`, `target_id`, `event`, `client_address`,
    `request_id`, `id` and `created_at`, a time range being two filters on it:
    `filters=actor_id:7,event:[sign_in_failed,role_changed],created_at:gte:2026-12-01T00:00:00Z,created_at:lt:2026-12-08T00:00:00Z`
    (URL-encoded). `sort` on created_at or id; `page`, `per_page`."""
    del admin
    return PaginatedResponse[AuditEntryResponse].from_result(await audit.list(params))
