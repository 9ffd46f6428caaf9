"""The auth gateway: the one entry for synchronous calls from other modules. DTOs only, never rows."""

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence

from app.auth.exceptions import InvalidToken
from app.auth.policies.scopes import ensure_scopes
from app.auth.repositories.user import UserRepository
from app.auth.schemas.principal import Principal
from app.auth.schemas.user import UserDTO
from app.auth.services.credentials import Credentials
from app.auth.services.factory import credentials
from app.core.db import ListParams, PaginatedResult
from app.core.platform import Platform


class AuthGatewayInterface(ABC):
    @abstractmethod
    async def get_user(self, user_id: int) -> UserDTO | None:
        """The user, or None if there is no such (live) user."""

    @abstractmethod
    async def get_users(self, user_ids: Collection[int]) -> dict[int, UserDTO]:
        """Users by id, in one query; missing ids are absent from the result."""

    @abstractmethod
    async def get_user_list(self, params: ListParams) -> PaginatedResult[UserDTO]:
        """A page of users with the usual sorting, filtering and pagination."""

    @abstractmethod
    async def authenticate(self, credential: str, *, scopes: Sequence[str]) -> Principal | None:
        """The active user a bearer credential (an access token or an API key) belongs to, or
        None (for WebSockets and the like): None as well for a token of a revoked session or an
        older token version, and for a revoked or expired key. Raises InsufficientScope when the
        credential lacks one of `scopes`, as a route's `Scoped(...)` does (no scope: sessions
        only), so a caller cannot forget the check."""


class DefaultAuthGateway(AuthGatewayInterface):
    def __init__(self, users: UserRepository, credentials: Credentials, *, record_key_uses: bool) -> None:
        self._users = users
        self._credentials = credentials
        self._record_key_uses = record_key_uses

    async def get_user(self, user_id: int) -> UserDTO | None:
        user = await self._users.get(user_id)
        return UserDTO.model_validate(user) if user else None

    async def get_users(self, user_ids: Collection[int]) -> dict[int, UserDTO]:
        return {user.id: UserDTO.model_validate(user) for user in await self._users.get_many(set(user_ids))}

    async def get_user_list(self, params: ListParams) -> PaginatedResult[UserDTO]:
        return (await self._users.list(params)).map(UserDTO.model_validate)

    async def authenticate(self, credential: str, *, scopes: Sequence[str]) -> Principal | None:
        try:
            found = await self._credentials.authenticate(credential)
        except InvalidToken:
            return None
        if not found.principal.is_active:
            return None
        ensure_scopes(found.principal, scopes)
        if found.use is not None and self._record_key_uses:
            await self._credentials.record_use(found.use)
        return found.principal


def auth_gateway(platform: Platform) -> AuthGatewayInterface:
    """The gateway, built like every auth service: `auth_gateway(platform)` in tasks, listeners
    and sockets, the `AuthGateway` dependency in routes."""
    # A read-only unit of work (a safe HTTP method) cannot write a key's last use.
    return DefaultAuthGateway(
        UserRepository(platform.session),
        credentials(platform),
        record_key_uses=not platform.unit_of_work.read_only,
    )
