"""The auth module's public surface: the only names other modules may import.

from app.auth import ActiveUser, AuthGateway, UserDTO, UserCreated

A module declares its scopes with `declare_scope` and its routes ask for them with
`Annotated[Principal, Scoped(...)]` (see app.auth.deps).
"""

from app.auth.deps import (
    ActiveUser,
    AdminUser,
    AuthGateway,
    CurrentUser,
    RecentlyAuthenticatedUser,
    Scoped,
    SuperAdminUser,
)
from app.auth.events import AccessRevoked, PasswordChanged, UserCreated, UserDeleted, UserUpdated
from app.auth.exceptions import InsufficientScope
from app.auth.gateway import AuthGatewayInterface, auth_gateway
from app.auth.models import Role
from app.auth.schemas.principal import Principal
from app.auth.schemas.scopes import declare_scope
from app.auth.schemas.user import UserDTO

__all__ = [
    "AccessRevoked",
    "ActiveUser",
    "AdminUser",
    "AuthGateway",
    "AuthGatewayInterface",
    "CurrentUser",
    "InsufficientScope",
    "PasswordChanged",
    "Principal",
    "RecentlyAuthenticatedUser",
    "Role",
    "Scoped",
    "SuperAdminUser",
    "UserCreated",
    "UserDTO",
    "UserDeleted",
    "UserUpdated",
    "auth_gateway",
    "declare_scope",
]
