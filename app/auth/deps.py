"""The auth services as route dependencies (each wraps the function of app.auth.services.factory
that tasks, listeners and the CLI call), and the current-user dependencies other modules use
through the public package."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from starlette.requests import HTTPConnection

from app.auth.exceptions import InactiveUser, NotAuthenticated
from app.auth.gateway import AuthGatewayInterface, auth_gateway
from app.auth.policies.users import ensure_admin, ensure_super_admin
from app.auth.repositories.user import UserRepository
from app.auth.schemas.principal import Principal
from app.auth.services.audit import AuditTrail
from app.auth.services.current_user import resolve
from app.auth.services.factory import (
    access_store,
    access_tokens,
    audit_trail,
    recovery_service,
    session_service,
    user_service,
)
from app.auth.services.recovery import RecoveryService
from app.auth.services.sessions import SessionService
from app.auth.services.users import UserService
from app.core.deps import PlatformDep, provide, resources_of

UserServiceDep = Annotated[UserService, Depends(provide(user_service))]
SessionServiceDep = Annotated[SessionService, Depends(provide(session_service))]
RecoveryServiceDep = Annotated[RecoveryService, Depends(provide(recovery_service))]
AuditTrailDep = Annotated[AuditTrail, Depends(provide(audit_trail))]
# Other modules' routes ask for it as `app.auth.AuthGateway`.
AuthGateway = Annotated[AuthGatewayInterface, Depends(provide(auth_gateway))]


async def account_id_by_login(connection: HTTPConnection, login: str) -> int | None:
    """The id of the account a username or email names, read before the route runs (the
    per-account login limit), so outside its unit of work."""
    async with resources_of(connection).read_only_session_factory() as session:
        return await UserRepository(session).id_by_login(login)


# tokenUrl makes the docs' Authorize button log in with the password form; relative to the API
# prefix (the schema names it in full, see app.core.api.docs).
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="auth/login", auto_error=False)


async def get_current_user(
    request: Request,
    token: Annotated[str | None, Depends(oauth2_scheme)],
    platform: PlatformDep,
) -> Principal:
    if not token:
        raise NotAuthenticated()
    principal = await resolve(token, access_tokens(platform), platform.session, access_store(platform))
    # For rate limits keyed by user (ConfigurableRateLimiter(key="user")).
    request.state.user_id = principal.id
    return principal


CurrentUser = Annotated[Principal, Depends(get_current_user)]


async def get_active_user(user: CurrentUser) -> Principal:
    if not user.is_active:
        raise InactiveUser()
    return user


ActiveUser = Annotated[Principal, Depends(get_active_user)]


async def get_admin_user(user: ActiveUser) -> Principal:
    ensure_admin(user)
    return user


async def get_super_admin_user(user: ActiveUser) -> Principal:
    ensure_super_admin(user)
    return user


AdminUser = Annotated[Principal, Depends(get_admin_user)]
SuperAdminUser = Annotated[Principal, Depends(get_super_admin_user)]
