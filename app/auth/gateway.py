"""The auth gateway: the one entry for synchronous calls from other modules. DTOs only, never rows."""

from abc import ABC, abstractmethod
from collections.abc import Collection

from app.auth.exceptions import InvalidToken
from app.auth.repositories.user import UserRepository
from app.auth.schemas.principal import Principal
from app.auth.schemas.user import UserDTO
from app.auth.services.access import AccessStore
from app.auth.services.current_user import resolve
from app.auth.services.factory import access_store, access_tokens
from app.auth.services.tokens import AccessTokens
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
    async def authenticate(self, access_token: str) -> Principal | None:
        """The active user an access token belongs to, or None (for WebSockets and the like): None
        as well for a token of a revoked session or an older token version."""


class DefaultAuthGateway(AuthGatewayInterface):
    def __init__(self, users: UserRepository, access: AccessStore, tokens: AccessTokens) -> None:
        self._users = users
        self._access = access
        self._tokens = tokens

    async def get_user(self, user_id: int) -> UserDTO | None:
        user = await self._users.get(user_id)
        return UserDTO.model_validate(user) if user else None

    async def get_users(self, user_ids: Collection[int]) -> dict[int, UserDTO]:
        return {user.id: UserDTO.model_validate(user) for user in await self._users.get_many(set(user_ids))}

    async def get_user_list(self, params: ListParams) -> PaginatedResult[UserDTO]:
        return (await self._users.list(params)).map(UserDTO.model_validate)

    async def authenticate(self, access_token: str) -> Principal | None:
        try:
            principal = await resolve(access_token, self._tokens, self._users.session, self._access)
        except InvalidToken:
            return None
        return principal if principal.is_active else None


def auth_gateway(platform: Platform) -> AuthGatewayInterface:
    """The gateway, built like every auth service: `auth_gateway(platform)` in tasks, listeners
    and sockets, the `AuthGateway` dependency in routes."""
    return DefaultAuthGateway(
        UserRepository(platform.session), access_store(platform), access_tokens(platform)
    )
