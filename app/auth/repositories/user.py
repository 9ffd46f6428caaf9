from sqlalchemy import func, or_, select, update

from app.auth.models import Role, User
from app.core.db import BaseRepository


class UserRepository(BaseRepository[User]):
    model = User

    async def get_by_login(self, login: str) -> User | None:
        """A live user by email or username (both stored normalized, lower case)."""
        value = login.strip().lower()
        return await self.session.scalar(select(User).where(or_(User.email == value, User.username == value)))

    async def id_by_login(self, login: str) -> int | None:
        value = login.strip().lower()
        return await self.session.scalar(
            select(User.id).where(or_(User.email == value, User.username == value))
        )

    async def get_by_email(self, email: str) -> User | None:
        return await self.session.scalar(select(User).where(User.email == email))

    async def taken(
        self, *, email: str | None = None, username: str | None = None, exclude_id: int | None = None
    ) -> set[str]:
        """Which of `email` / `username` a live account other than `exclude_id` already holds."""
        taken: set[str] = set()
        for field, value in (("email", email), ("username", username)):
            if value is None:
                continue
            statement = select(User.id).where(getattr(User, field) == value)
            if exclude_id is not None:
                statement = statement.where(User.id != exclude_id)
            if await self.session.scalar(statement.limit(1)) is not None:
                taken.add(field)
        return taken

    async def count_active_super_admins(self) -> int:
        statement = (
            select(func.count())
            .select_from(User)
            .where(User.role == Role.SUPER_ADMIN.value, User.is_active.is_(True))
        )
        return int(await self.session.scalar(statement) or 0)

    async def lock(self, user: User) -> None:
        """Serialize changes to one account (concurrent role or status changes)."""
        await self.session.execute(select(User.id).where(User.id == user.id).with_for_update())

    async def bump_token_version(self, user_id: int) -> int:
        """Retire every access token of the user; returns the new version."""
        statement = (
            update(User)
            .where(User.id == user_id)
            .values(token_version=User.token_version + 1)
            .returning(User.token_version)
        )
        return int((await self.session.execute(statement)).scalar_one())
