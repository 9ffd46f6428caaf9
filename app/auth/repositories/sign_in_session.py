from datetime import datetime

from sqlalchemy import delete, or_, select, update

from app.auth.models import RefreshToken, SignInSession
from app.core.db import BaseRepository


class SignInSessionRepository(BaseRepository[SignInSession]):
    model = SignInSession

    async def token_for_update(self, token_hash: str) -> RefreshToken | None:
        """The refresh token row, locked: concurrent refreshes with one token run one at a time."""
        statement = select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
        return await self.session.scalar(statement)

    async def add_token(self, session_id: int, token_hash: str) -> RefreshToken:
        token = RefreshToken(session_id=session_id, token_hash=token_hash)
        self.session.add(token)
        await self.session.flush()
        return token

    async def live_for_user(self, user_id: int, now: datetime) -> list[SignInSession]:
        statement = (
            select(SignInSession)
            .where(
                SignInSession.user_id == user_id,
                SignInSession.revoked_at.is_(None),
                SignInSession.expires_at > now,
            )
            .order_by(SignInSession.last_used_at.desc(), SignInSession.id.desc())
        )
        return list(await self.session.scalars(statement))

    async def revoke_for_user(
        self, user_id: int, now: datetime, reason: str, *, except_id: int | None = None
    ) -> list[int]:
        """End the user's live sessions (all but `except_id`); returns their ids."""
        statement = update(SignInSession).where(
            SignInSession.user_id == user_id, SignInSession.revoked_at.is_(None)
        )
        if except_id is not None:
            statement = statement.where(SignInSession.id != except_id)
        statement = statement.values(revoked_at=now, revoked_reason=reason).returning(SignInSession.id)
        return list(await self.session.scalars(statement))

    async def purge(self, before: datetime) -> int:
        """Delete sessions that ended (expired or revoked) before `before`; tokens cascade."""
        statement = delete(SignInSession).where(
            or_(SignInSession.expires_at < before, SignInSession.revoked_at < before)
        )
        result = await self.session.execute(statement)
        return int(result.rowcount)  # type: ignore[attr-defined]
