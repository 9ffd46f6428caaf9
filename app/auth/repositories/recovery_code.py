from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update

from app.auth.models import RecoveryCode
from app.core.db import BaseRepository


class RecoveryCodeRepository(BaseRepository[RecoveryCode]):
    model = RecoveryCode

    async def replace(self, user_id: int, code_hashes: Sequence[str]) -> None:
        """The user's codes become these (earlier ones, used or not, are gone)."""
        await self.delete_for_user(user_id)
        if code_hashes:
            await self.session.execute(
                insert(RecoveryCode), [{"user_id": user_id, "code_hash": digest} for digest in code_hashes]
            )

    async def use(self, user_id: int, code_hash: str, now: datetime) -> bool:
        """Spend an unused code; False if the user has no such code left. Atomic, like
        UserTotpRepository.claim_step: a code presented twice at once is spent once."""
        statement = (
            update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user_id,
                RecoveryCode.code_hash == code_hash,
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=now)
            .returning(RecoveryCode.id)
            .execution_options(synchronize_session="fetch")
        )
        return (await self.session.execute(statement)).first() is not None

    async def count_unused(self, user_id: int) -> int:
        statement = (
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
        )
        return int(await self.session.scalar(statement) or 0)

    async def delete_for_user(self, user_id: int) -> None:
        await self.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
