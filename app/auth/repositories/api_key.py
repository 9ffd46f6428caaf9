from datetime import datetime

from sqlalchemy import func, select, update

from app.auth.models import ApiKey, User
from app.core.db import BaseRepository


class ApiKeyRepository(BaseRepository[ApiKey]):
    model = ApiKey

    async def with_owner(self, public_id: str) -> tuple[ApiKey, User] | None:
        """The key and its owner, in one query; None if either is gone (a deleted owner's keys
        are nobody's)."""
        statement = (
            select(ApiKey, User)
            .join(User, User.id == ApiKey.user_id)
            .where(ApiKey.public_id == public_id, User.deleted_at.is_(None))
        )
        row = (await self.session.execute(statement)).first()
        return None if row is None else (row[0], row[1])

    async def live_for_user(self, user_id: int) -> list[ApiKey]:
        """The user's keys that are not revoked (expired ones included), newest first."""
        statement = (
            select(ApiKey)
            .where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
            .order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
        )
        return list(await self.session.scalars(statement))

    async def count_live(self, user_id: int) -> int:
        statement = select(func.count()).where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
        return int(await self.session.scalar(statement) or 0)

    async def live_of_user(self, user_id: int, key_id: int) -> ApiKey | None:
        statement = select(ApiKey).where(
            ApiKey.id == key_id, ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None)
        )
        return await self.session.scalar(statement.with_for_update())

    async def revoke_all(self, user_id: int, now: datetime) -> list[int]:
        """Revoke every live key of the user; their ids."""
        statement = (
            update(ApiKey)
            .where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
            .values(revoked_at=now)
            .returning(ApiKey.id)
        )
        return list((await self.session.scalars(statement)).all())

    async def mark_used(self, key_id: int, now: datetime, previous: datetime | None) -> bool:
        """Set the key's last use to `now` if it is still `previous` (what the caller read): of
        requests racing to record a use, one does. Whether this one did."""
        statement = (
            update(ApiKey)
            .where(ApiKey.id == key_id, ApiKey.last_used_at.is_not_distinct_from(previous))
            .values(last_used_at=now)
            .returning(ApiKey.id)
        )
        return (await self.session.scalar(statement)) is not None
