"""The auth services as route dependencies (each wraps the function of app.auth.services.factory
that tasks, listeners and the CLI call), and the current-user dependencies other modules use
through the public package.

Who may call a route is declared once, by the type of its user parameter:

    user: Annotated[Principal, Scoped("chat:write")]   # sessions, and API keys with the scope
    user: AdminUser                                     # admin sessions (the `admin` scope)
    user: ActiveUser                                    # any signed-in session; never a key

A session holds every scope of its role, a key its own (app.auth.schemas.scopes); a credential
without the scope gets 403 `insufficient_scope` naming it. The scopes are in the OpenAPI schema:
each operation's security requirements name them, for the password flow and for API keys.
"""

from typing import Annotated, Any, cast

from fastapi import Depends, Request, Security
from fastapi.openapi.models import OAuth2 as OAuth2Model
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2PasswordBearer, SecurityScopes
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from app.auth.config import AuthConfig
from app.auth.exceptions import InactiveUser, NotAuthenticated
from app.auth.gateway import AuthGatewayInterface, auth_gateway
from app.auth.models import API_KEY_PREFIX
from app.auth.policies.scopes import ensure_scopes
from app.auth.policies.step_up import ensure_recent_authentication
from app.auth.policies.users import ensure_admin, ensure_super_admin
from app.auth.repositories.user import UserRepository
from app.auth.schemas.principal import Principal
from app.auth.schemas.scopes import (
    ACCOUNT,
    ADMIN,
    PROFILE_READ,
    PROFILE_WRITE,
    USERS_READ,
    descriptions,
    is_declared,
    key_scopes,
)
from app.auth.services.api_keys import ApiKeyService, KeyUse
from app.auth.services.audit import AuditTrail
from app.auth.services.factory import (
    api_key_service,
    audit_trail,
    credentials,
    recovery_service,
    session_service,
    two_factor_service,
    user_service,
)
from app.auth.services.recovery import RecoveryService
from app.auth.services.sessions import SessionService
from app.auth.services.two_factor import TwoFactorService
from app.auth.services.users import UserService
from app.core.db import UnitOfWork
from app.core.deps import PlatformDep, get_session_factory, provide, request_info, resources_of
from app.core.platform import Platform

UserServiceDep = Annotated[UserService, Depends(provide(user_service))]
SessionServiceDep = Annotated[SessionService, Depends(provide(session_service))]
RecoveryServiceDep = Annotated[RecoveryService, Depends(provide(recovery_service))]
AuditTrailDep = Annotated[AuditTrail, Depends(provide(audit_trail))]
ApiKeyServiceDep = Annotated[ApiKeyService, Depends(provide(api_key_service))]
TwoFactorServiceDep = Annotated[TwoFactorService, Depends(provide(two_factor_service))]
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
# The flow lists every declared scope, as the OpenAPI schema is generated: modules declare theirs
# after this module is imported, so the scheme holds the live table (assigned, not copied).
_password_flow = cast(OAuth2Model, oauth2_scheme.model).flows.password
if _password_flow is not None:
    _password_flow.scopes = descriptions
# The same header carries an API key: this scheme documents it (get_current_user reads both).
api_key_scheme = HTTPBearer(
    scheme_name="APIKey",
    bearerFormat=f"{API_KEY_PREFIX}...",
    description="A personal access token (`POST /profile/api-keys`), holding the scopes it was created with.",
    auto_error=False,
)
SessionFactoryDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_session_factory)]


async def _record_key_use(
    connection: HTTPConnection, session_factory: SessionFactoryDep, use: KeyUse
) -> None:
    # In a transaction of its own: the request's unit of work may be read-only (GET), or roll
    # back. About once a minute per key (app.auth.services.api_keys).
    resources = resources_of(connection)
    async with UnitOfWork(session_factory) as unit_of_work:
        platform = Platform.build(resources, unit_of_work, request_info(connection, resources.config))
        await api_key_service(platform).record_use(use)


async def get_current_user(
    request: Request,
    security_scopes: SecurityScopes,
    token: Annotated[str | None, Depends(oauth2_scheme)],
    platform: PlatformDep,
    session_factory: SessionFactoryDep,
) -> Principal:
    """The caller, holding every scope the route's dependencies ask for (`Scoped`)."""
    if not token:
        raise NotAuthenticated()
    found = await credentials(platform).authenticate(token)
    principal = found.principal
    # For rate limits keyed by user (ConfigurableRateLimiter(key="user")): a request made with
    # an API key counts against that key.
    request.state.user_id = principal.id
    request.state.api_key_id = principal.api_key_id
    ensure_scopes(principal, security_scopes.scopes)
    if found.use is not None:
        await _record_key_use(request, session_factory, found.use)
    return principal


CurrentUser = Annotated[Principal, Depends(get_current_user)]


async def get_active_user(user: CurrentUser) -> Principal:
    if not user.is_active:
        raise InactiveUser()
    return user


ActiveUser = Annotated[Principal, Depends(get_active_user)]


async def get_key_or_session_user(
    user: ActiveUser, _: Annotated[HTTPAuthorizationCredentials | None, Depends(api_key_scheme)]
) -> Principal:
    """ActiveUser, where API keys are accepted (the APIKey scheme puts that in the schema)."""
    return user


def Scoped(*scopes: str) -> Any:  # noqa: N802 - written in annotations, like FastAPI's Depends
    """The signed-in caller, if it holds every scope given: `Annotated[Principal, Scoped(...)]`.
    Sessions hold the scopes of their role; API keys are accepted where every scope is one a key
    may hold. Scopes must be declared first (`declare_scope`)."""
    undeclared = [scope for scope in scopes if not is_declared(scope)]
    if undeclared or not scopes:
        raise ValueError(f"Scoped() needs declared scopes: {undeclared or 'none given'}")
    keys_accepted = all(scope in key_scopes() for scope in scopes)
    return Security(get_key_or_session_user if keys_accepted else get_active_user, scopes=list(scopes))


# What the auth module's own routes ask for.
AccountUser = Annotated[Principal, Scoped(ACCOUNT)]
ProfileReader = Annotated[Principal, Scoped(PROFILE_READ)]
ProfileWriter = Annotated[Principal, Scoped(PROFILE_WRITE)]
DirectoryReader = Annotated[Principal, Scoped(USERS_READ)]


async def get_admin_user(user: ActiveUser) -> Principal:
    ensure_admin(user)
    return user


async def get_super_admin_user(user: ActiveUser) -> Principal:
    ensure_super_admin(user)
    return user


AdminUser = Annotated[Principal, Security(get_admin_user, scopes=[ADMIN])]
SuperAdminUser = Annotated[Principal, Security(get_super_admin_user, scopes=[ADMIN])]


async def get_recently_authenticated_user(user: AccountUser, platform: PlatformDep) -> Principal:
    ensure_recent_authentication(user, platform.settings(AuthConfig))
    return user


# For sensitive actions: a session (the `account` scope: never an API key) that authenticated
# (signed in, or re-authenticated at POST /auth/step-up) within AUTH_STEP_UP_MAX_AGE seconds.
RecentlyAuthenticatedUser = Annotated[Principal, Depends(get_recently_authenticated_user)]


async def get_recent_admin_user(user: AdminUser, platform: PlatformDep) -> Principal:
    # The role first: no point asking someone to re-authenticate for what they may not do.
    ensure_recent_authentication(user, platform.settings(AuthConfig))
    return user


async def get_recent_super_admin_user(user: SuperAdminUser, platform: PlatformDep) -> Principal:
    ensure_recent_authentication(user, platform.settings(AuthConfig))
    return user


RecentAdminUser = Annotated[Principal, Depends(get_recent_admin_user)]
RecentSuperAdminUser = Annotated[Principal, Depends(get_recent_super_admin_user)]
