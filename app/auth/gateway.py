"""AuthGateway: the one entry for synchronous calls from other modules. DTOs only, never rows."""

from abc import ABC, abstractmethod
from collections.abc import Collection

from app.auth.repositories.user import UserRepository
from app.auth.schemas.user import UserDTO
from app.core.db import ListParams, PaginatedResult


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


class AuthGateway(AuthGatewayInterface):
    def __init__(self, users: UserRepository) -> None:
        self._users = users

    async def get_user(self, user_id: int) -> UserDTO | None:
        user = await self._users.get(user_id)
        return UserDTO.model_validate(user) if user else None

    async def get_users(self, user_ids: Collection[int]) -> dict[int, UserDTO]:
        return {user.id: UserDTO.model_validate(user) for user in await self._users.get_many(set(user_ids))}

    async def get_user_list(self, params: ListParams) -> PaginatedResult[UserDTO]:
        return (await self._users.list(params)).map(UserDTO.model_validate)
