from sqlalchemy import delete, or_, select, update

from app.auth.models import UserTotp
from app.core.db import BaseRepository


class UserTotpRepository(BaseRepository[UserTotp]):
    model = UserTotp

    async def for_user(self, user_id: int) -> UserTotp | None:
        return await self.session.scalar(select(UserTotp).where(UserTotp.user_id == user_id))

    async def confirmed_for_user(self, user_id: int) -> UserTotp | None:
        statement = select(UserTotp).where(UserTotp.user_id == user_id, UserTotp.confirmed_at.is_not(None))
        return await self.session.scalar(statement)

    async def for_update(self, user_id: int) -> UserTotp | None:
        """The user's row, locked: enrolment, confirmation and removal run one at a time."""
        return await self.session.scalar(
            select(UserTotp).where(UserTotp.user_id == user_id).with_for_update()
        )

    async def is_enabled(self, user_id: int) -> bool:
        statement = select(UserTotp.id).where(UserTotp.user_id == user_id, UserTotp.confirmed_at.is_not(None))
        return await self.session.scalar(statement) is not None

    async def claim_step(self, totp_id: int, step: int) -> bool:
        """Record `step` as the last one used, unless it or a later one already was. One atomic
        statement: of two requests with the same code, in any processes, the second waits for
        the first's row lock, then finds the step taken (PostgreSQL re-checks the condition)."""
        statement = (
            update(UserTotp)
            .where(
                UserTotp.id == totp_id,
                or_(UserTotp.last_used_step.is_(None), UserTotp.last_used_step < step),
            )
            .values(last_used_step=step)
            .returning(UserTotp.id)
            .execution_options(synchronize_session="fetch")
        )
        return (await self.session.execute(statement)).scalar_one_or_none() is not None

    async def delete_for_user(self, user_id: int) -> None:
        await self.session.execute(delete(UserTotp).where(UserTotp.user_id == user_id))

    async def all_for_update(self) -> list[UserTotp]:
        """Every row, locked (re-encrypting the secrets with a new key)."""
        return list(await self.session.scalars(select(UserTotp).order_by(UserTotp.id).with_for_update()))
