"""Providers wiring the auth services from the platform's dependencies, and the current-user
dependencies other modules use through the public package."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from starlette.requests import HTTPConnection

from app.auth.config import get_auth_config
from app.auth.exceptions import InactiveUser, NotAuthenticated
from app.auth.gateway import AuthGateway as AuthGatewayImpl
from app.auth.gateway import AuthGatewayInterface
from app.auth.policies.users import ensure_admin, ensure_super_admin
from app.auth.repositories.user import UserRepository
from app.auth.services.access import AccessStore
from app.auth.services.context import AuthContext
from app.auth.services.current_user import Principal, resolve
from app.auth.services.recovery import RecoveryService
from app.auth.services.security import get_access_tokens
from app.auth.services.sessions import SessionService
from app.auth.services.users import UserService
from app.core.deps import DBSession, RedisClient, UoW, resources_of
from app.core.services import TaskContext


async def get_auth_context(unit_of_work: UoW, connection: HTTPConnection) -> AuthContext:
    # Built from the platform's services directly rather than one dependency each: authenticated
    # routes resolve this on every request, and each dependency node costs FastAPI real time.
    return AuthContext.of(TaskContext.build(resources_of(connection), unit_of_work))


Context = Annotated[AuthContext, Depends(get_auth_context)]


async def account_id_by_login(connection: HTTPConnection, login: str) -> int | None:
    """The id of the account a username or email names, read before the route runs (the
    per-account login limit), so outside its unit of work."""
    async with resources_of(connection).read_only_session_factory() as session:
        return await UserRepository(session).id_by_login(login)


async def get_user_service(context: Context) -> UserService:
    return UserService(context)


async def get_session_service(context: Context) -> SessionService:
    return SessionService(context)


async def get_recovery_service(context: Context) -> RecoveryService:
    return RecoveryService(context)


UserServiceDep = Annotated[UserService, Depends(get_user_service)]
SessionServiceDep = Annotated[SessionService, Depends(get_session_service)]
RecoveryServiceDep = Annotated[RecoveryService, Depends(get_recovery_service)]


async def get_gateway(session: DBSession, redis: RedisClient) -> AuthGatewayInterface:
    return AuthGatewayImpl(UserRepository(session), AccessStore(redis, get_auth_config()))


AuthGateway = Annotated[AuthGatewayInterface, Depends(get_gateway)]

# tokenUrl makes the docs' Authorize button log in with the password form.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login", auto_error=False)


async def get_current_user(
    request: Request,
    token: Annotated[str | None, Depends(oauth2_scheme)],
    unit_of_work: UoW,
) -> Principal:
    if not token:
        raise NotAuthenticated()
    access = AccessStore(resources_of(request).redis, get_auth_config())
    principal = await resolve(token, get_access_tokens(), unit_of_work.session, access)
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
