from datetime import datetime

from sqlalchemy import delete, or_, select, update

from app.auth.models import ActionToken
from app.core.db import BaseRepository


class ActionTokenRepository(BaseRepository[ActionToken]):
    model = ActionToken

    async def for_update(self, kind: str, token_hash: str) -> ActionToken | None:
        statement = (
            select(ActionToken)
            .where(ActionToken.kind == kind, ActionToken.token_hash == token_hash)
            .with_for_update()
        )
        return await self.session.scalar(statement)

    async def retire(self, user_id: int, kind: str, now: datetime) -> None:
        """Spend every unused token of `kind` of a user: only the newest link works."""
        await self.session.execute(
            update(ActionToken)
            .where(ActionToken.user_id == user_id, ActionToken.kind == kind, ActionToken.used_at.is_(None))
            .values(used_at=now)
        )

    async def purge(self, before: datetime) -> int:
        statement = delete(ActionToken).where(
            or_(ActionToken.expires_at < before, ActionToken.used_at < before)
        )
        result = await self.session.execute(statement)
        return int(result.rowcount)  # type: ignore[attr-defined]
