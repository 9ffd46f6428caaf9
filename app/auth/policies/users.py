"""Who may do what to whom. Plain functions: usable as dependencies' building blocks and from
services, so the rules live in one place.

Roles rank user < admin < super_admin. Nobody acts on an equal or higher role, or changes their
own role; granting and revoking admin is for super admins.
"""

from app.auth.exceptions import ActionNotAllowed
from app.auth.models import Role
from app.auth.schemas.principal import Principal


def can_see_private_fields(actor: Principal, target_id: int) -> bool:
    return actor.is_admin or actor.id == target_id


def ensure_outranks(actor: Principal, target_role: Role, target_id: int) -> None:
    if actor.id == target_id:
        raise ActionNotAllowed("You cannot do this to your own account.")
    if actor.role.rank <= target_role.rank:
        raise ActionNotAllowed("You can only manage accounts with a lower role than yours.")


def ensure_admin(actor: Principal) -> None:
    if not actor.is_admin:
        raise ActionNotAllowed("Administrators only.")


def ensure_super_admin(actor: Principal) -> None:
    if actor.role is not Role.SUPER_ADMIN:
        raise ActionNotAllowed("Super admins only.")


def ensure_can_create(actor: Principal, role: Role) -> None:
    ensure_admin(actor)
    if role.rank >= actor.role.rank:
        raise ActionNotAllowed("You can only create accounts with a lower role than yours.")
