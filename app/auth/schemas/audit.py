"""The security events of the audit log, and how its two listings show them."""

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.db import FilterParam, ListParams, SortParam


class AuditEvent(StrEnum):
    """Every kind of row in the audit log (its `event` column)."""

    SIGN_IN_SUCCEEDED = "sign_in_succeeded"
    SIGN_IN_FAILED = "sign_in_failed"
    TWO_FACTOR_ENABLED = "two_factor_enabled"
    TWO_FACTOR_USED = "two_factor_used"
    TWO_FACTOR_FAILED = "two_factor_failed"
    TWO_FACTOR_DISABLED = "two_factor_disabled"
    RECOVERY_CODE_USED = "recovery_code_used"
    RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated"
    STEP_UP_SUCCEEDED = "step_up_succeeded"
    STEP_UP_FAILED = "step_up_failed"
    # Event names, not secrets.
    PASSWORD_CHANGED = "password_changed"  # noqa: S105
    PASSWORD_RESET = "password_reset"  # noqa: S105
    PASSWORD_SET_BY_ADMIN = "password_set_by_admin"  # noqa: S105
    EMAIL_CHANGED = "email_changed"
    SESSION_REVOKED = "session_revoked"
    LOGGED_OUT_EVERYWHERE = "logged_out_everywhere"
    ACCOUNT_DELETED = "account_deleted"
    API_KEY_CREATED = "api_key_created"
    API_KEY_FIRST_USED = "api_key_first_used"
    API_KEY_REVOKED = "api_key_revoked"
    ROLE_CHANGED = "role_changed"
    STATUS_CHANGED = "status_changed"
    USER_CREATED_BY_ADMIN = "user_created_by_admin"
    USER_DELETED_BY_ADMIN = "user_deleted_by_admin"


# The keys of `details` a user sees in their own listing; any other key (the reason a sign-in
# failed, say) is internal: stored, and shown to administrators only. New keys are internal
# until they are listed here.
SHOWN_TO_USER = frozenset(
    {
        "session_id",
        "cause",
        "old_email",
        "new_email",
        "role",
        "old_role",
        "new_role",
        "is_active",
        "method",
        "second_factor",
        "remaining",
        "api_key_id",
        "revoked_api_key_ids",
        "prefix",
        "scopes",
    }
)

AuditField = Literal["id", "event", "actor_id", "target_id", "client_address", "request_id", "created_at"]
OwnEventField = Literal["id", "event", "created_at"]


class AuditSortParam(SortParam):
    field: Literal["id", "created_at"]


class AuditFilterParam(FilterParam):
    field: AuditField


class AuditListParams(ListParams):
    sort: list[AuditSortParam] | None = None
    filters: list[AuditFilterParam] | None = None


class OwnEventFilterParam(FilterParam):
    field: OwnEventField


class OwnEventListParams(ListParams):
    sort: list[AuditSortParam] | None = None
    filters: list[OwnEventFilterParam] | None = None


# Newest first, unless the caller sorts otherwise.
NEWEST_FIRST = [
    AuditSortParam(field="created_at", direction="desc"),
    AuditSortParam(field="id", direction="desc"),
]


class AuditEntryResponse(BaseModel):
    """An audit log entry as administrators see it: everything that was recorded."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    event: AuditEvent
    actor_id: int | None = Field(description="Who acted: null for an anonymous attempt or a task.")
    target_id: int | None = Field(description="Whose account it concerned, when one did.")
    client_address: str | None
    user_agent: str | None
    request_id: str | None
    details: dict[str, Any]
    created_at: datetime


class SecurityEventResponse(BaseModel):
    """An event of the caller's own account. The address and browser are shown when the caller
    or an anonymous client acted (a failed sign-in), not an administrator's."""

    id: int
    event: AuditEvent
    actor_id: int | None
    target_id: int | None
    client_address: str | None
    user_agent: str | None
    details: dict[str, Any] = Field(description="What the event changed; internal reasons are left out.")
    created_at: datetime
