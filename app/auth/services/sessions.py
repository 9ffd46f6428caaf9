"""Sign-in sessions: login (with a second step when two-factor is on), refresh-token rotation
with reuse detection, logout, and re-authentication within a session (step-up, RFC 9470)."""

from collections.abc import Sequence
from datetime import timedelta
from typing import NoReturn

from app.auth.config import AuthConfig
from app.auth.exceptions import (
    InvalidCredentials,
    InvalidInput,
    InvalidToken,
    NotFound,
    RevocationUnavailable,
)
from app.auth.models import ONE_TIME_PASSWORD_METHOD, PASSWORD_METHOD, SignInSession, User
from app.auth.repositories.sign_in_session import SignInSessionRepository
from app.auth.repositories.user import UserRepository
from app.auth.schemas.audit import AuditEvent
from app.auth.schemas.auth import TokenResponse
from app.auth.schemas.principal import Principal
from app.auth.schemas.two_factor import AccessTokenResponse, SecondFactorChallenge
from app.auth.services.access import AccessStore
from app.auth.services.attempts import PasswordCheckLimit
from app.auth.services.audit import AuditTrail
from app.auth.services.passwords import PasswordHasher
from app.auth.services.revocation import AccessRevocation
from app.auth.services.tokens import AccessTokens, new_opaque_token, token_digest
from app.auth.services.two_factor import TwoFactorService
from app.core.clock import utcnow
from app.core.log import logger

MAX_USER_AGENT = 300
PASSWORD_ONLY = (PASSWORD_METHOD,)
TWO_FACTORS = (PASSWORD_METHOD, ONE_TIME_PASSWORD_METHOD)


class SessionService:
    def __init__(
        self,
        *,
        users: UserRepository,
        sessions: SignInSessionRepository,
        revocation: AccessRevocation,
        access: AccessStore,
        audit: AuditTrail,
        hasher: PasswordHasher,
        tokens: AccessTokens,
        two_factor: TwoFactorService,
        password_checks: PasswordCheckLimit,
        config: AuthConfig,
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._revocation = revocation
        self._access = access
        self._audit = audit
        self._hasher = hasher
        self._tokens = tokens
        self._two_factor = two_factor
        self._password_checks = password_checks
        self._config = config

    async def login(
        self, login: str, password: str, user_agent: str | None
    ) -> TokenResponse | SecondFactorChallenge:
        """Same answer, and about the same time, for an unknown account, a wrong password and a
        deactivated account (the audit log alone tells them apart). With two-factor on, a correct
        password gets a second-step token instead of a session."""
        async with self._hasher.turn():
            user = await self._users.get_by_login(login)
            if user is None:
                await self._hasher.verify_nothing(password)
                await self._failed_sign_in(None, "unknown_account")
            valid, new_hash = await self._hasher.verify(password, user.password_hash)
        if not valid:
            await self._failed_sign_in(user.id, "wrong_password")
        if not user.is_active:
            await self._failed_sign_in(user.id, "inactive_account")
        if new_hash is not None:
            # Hashing parameters changed since this hash was made: upgrade it now.
            user.password_hash = new_hash
        if await self._two_factor.is_enabled(user.id):
            token, expires_in = self._tokens.issue_second_factor(user.id, user.token_version)
            return SecondFactorChallenge(
                second_factor_token=token, expires_in=expires_in, methods=["totp", "recovery_code"]
            )
        tokens, session = await self._start_session(user, user_agent, PASSWORD_ONLY)
        await self._audit.record(
            AuditEvent.SIGN_IN_SUCCEEDED,
            actor_id=user.id,
            target_id=user.id,
            details={"session_id": session.id},
        )
        return tokens

    async def _failed_sign_in(self, user_id: int | None, reason: str) -> NoReturn:
        # Recorded although the error rolls the request back; the reason stays internal.
        await self._audit.record_failure(
            AuditEvent.SIGN_IN_FAILED, actor_id=None, target_id=user_id, details={"reason": reason}
        )
        raise InvalidCredentials()

    async def complete_login(
        self, second_factor_token: str, passcode: str, user_agent: str | None
    ) -> TokenResponse:
        """The second step of a sign-in: the token from the first step and a TOTP or recovery
        code. The token is refused once the password changed since, or the account was
        deactivated; the code is refused when wrong or already used."""
        claims = self._tokens.decode_second_factor(second_factor_token)
        user = await self._users.get(claims.user_id)
        if user is None or not user.is_active or user.token_version != claims.token_version:
            raise InvalidToken()
        method = await self._two_factor.verify(user, passcode)
        # Spent once the code is right (a typo does not cost the token); a second sign-in with
        # the same token, even with another valid code, is refused and rolls back (its code
        # stays unspent).
        if not await self._access.spend_once(claims.token_id, self._config.SECOND_FACTOR_TTL):
            raise InvalidToken()
        tokens, session = await self._start_session(user, user_agent, TWO_FACTORS)
        await self._audit.record(
            AuditEvent.SIGN_IN_SUCCEEDED,
            actor_id=user.id,
            target_id=user.id,
            details={"session_id": session.id, "second_factor": method},
        )
        return tokens

    async def _start_session(
        self, user: User, user_agent: str | None, methods: Sequence[str]
    ) -> tuple[TokenResponse, SignInSession]:
        now = utcnow()
        session = await self._sessions.create(
            {
                "user_id": user.id,
                "user_agent": (user_agent or "")[:MAX_USER_AGENT] or None,
                "last_used_at": now,
                "expires_at": now + timedelta(seconds=self._config.REFRESH_TOKEN_TTL),
                "authenticated_at": now,
                "auth_methods": list(methods),
            }
        )
        return await self._issue(user, session), session

    def _access_token(self, user: User, session: SignInSession) -> tuple[str, int]:
        return self._tokens.issue(
            user.id,
            session.id,
            user.token_version,
            auth_time=session.authenticated_at,
            amr=session.auth_methods,
        )

    async def _issue(self, user: User, session: SignInSession) -> TokenResponse:
        refresh_token = new_opaque_token()
        await self._sessions.add_token(session.id, token_digest(refresh_token))
        access_token, expires_in = self._access_token(user, session)
        return TokenResponse(access_token=access_token, refresh_token=refresh_token, expires_in=expires_in)

    async def step_up(self, principal: Principal, password: str, passcode: str | None) -> AccessTokenResponse:
        """Re-authenticate within the caller's session: the password, and a second factor when
        two-factor is on. The session's authentication time moves to now (its later access
        tokens, refreshed ones included, carry it); no new session, the refresh token stays.
        Counted as a password check (AUTH_PASSWORD_CHECKS_PER_MINUTE), which bounds code
        guesses here too."""
        user = await self._users.get(principal.id)
        session = await self._sessions.get(principal.session_id)
        if user is None or session is None or session.user_id != user.id or session.revoked_at is not None:
            raise InvalidToken()
        two_factor = await self._two_factor.is_enabled(user.id)
        if two_factor and passcode is None:
            raise InvalidInput(
                [
                    {
                        "loc": ["body", "passcode"],
                        "msg": "Required: two-factor authentication is on.",
                        "type": "missing",
                    }
                ]
            )
        await self._password_checks.spend(user.id)
        valid, _ = await self._hasher.verify(password, user.password_hash)
        if not valid:
            await self._audit.record_failure(
                AuditEvent.STEP_UP_FAILED,
                actor_id=user.id,
                target_id=user.id,
                details={"reason": "wrong_password"},
            )
            raise InvalidCredentials("The password is incorrect.")
        if two_factor and passcode is not None:
            await self._two_factor.verify(user, passcode)  # records a wrong code itself
        await self._audit.record(
            AuditEvent.STEP_UP_SUCCEEDED,
            actor_id=user.id,
            target_id=user.id,
            details={"session_id": session.id},
        )
        session.authenticated_at = utcnow()
        session.auth_methods = list(TWO_FACTORS if two_factor else PASSWORD_ONLY)
        access_token, expires_in = self._access_token(user, session)
        return AccessTokenResponse(access_token=access_token, expires_in=expires_in)

    async def refresh(self, refresh_token: str) -> TokenResponse:
        config, now = self._config, utcnow()
        token = await self._sessions.token_for_update(token_digest(refresh_token))
        if token is None:
            raise InvalidToken()
        session = await self._sessions.get(token.session_id)
        if session is None or session.revoked_at is not None or session.expires_at <= now:
            raise InvalidToken()
        if token.rotated_at is not None:
            if now - token.rotated_at > timedelta(seconds=config.REFRESH_REUSE_GRACE):
                # A token that was already exchanged is back: assume it was stolen and end the
                # whole session, for the thief and for the legitimate client alike.
                session.revoked_at, session.revoked_reason = now, "refresh_token_reuse"
                await self._audit.record(
                    AuditEvent.SESSION_REVOKED,
                    actor_id=None,
                    target_id=session.user_id,
                    details={"session_id": session.id, "cause": "refresh_token_reuse"},
                )
                logger.warning(
                    "security: refresh token reuse, session revoked",
                    session_id=session.id,
                    user_id=session.user_id,
                )
                try:
                    await self._revocation.revoke_session(session.user_id, session.id, "refresh_token_reuse")
                except RevocationUnavailable as error:
                    # The session still ends in the database (processes that cannot read Redis
                    # check there); only its current access token may outlive it elsewhere, so
                    # the default "nothing changed" would be false here.
                    raise RevocationUnavailable(
                        "The session was ended, but its access token may work until it expires."
                    ).keeping_changes() from error
                # Kept: the revocation commits, and its event goes out after that commit.
                raise InvalidToken().keeping_changes()
            raise InvalidToken()
        if now - session.last_used_at > timedelta(seconds=config.REFRESH_IDLE_TIMEOUT):
            raise InvalidToken("The session expired after a period of inactivity.")
        user = await self._users.get(session.user_id)
        if user is None or not user.is_active:
            raise InvalidToken()
        token.rotated_at = now
        session.last_used_at = now
        return await self._issue(user, session)

    async def logout(self, refresh_token: str, principal: Principal) -> None:
        """Ends the session the refresh token belongs to, if it is the caller's."""
        token = await self._sessions.token_for_update(token_digest(refresh_token))
        session = await self._sessions.get(token.session_id) if token else None
        if session is None or session.user_id != principal.id:
            raise InvalidToken()
        if session.revoked_at is None:
            session.revoked_at, session.revoked_reason = utcnow(), "logout"
            await self._revocation.revoke_session(principal.id, session.id, "logout")
            await self._audit.record(
                AuditEvent.SESSION_REVOKED,
                actor_id=principal.id,
                target_id=principal.id,
                details={"session_id": session.id, "cause": "logout"},
            )

    async def logout_all(self, principal: Principal) -> None:
        """Ends every session and retires every access token of the caller."""
        await self._sessions.revoke_for_user(principal.id, utcnow(), "logout_all")
        version = await self._users.bump_token_version(principal.id)
        await self._revocation.revoke_all(principal.id, version, "logout_all")
        await self._audit.record(
            AuditEvent.LOGGED_OUT_EVERYWHERE, actor_id=principal.id, target_id=principal.id
        )

    async def list(self, principal: Principal) -> list[SignInSession]:
        return await self._sessions.live_for_user(principal.id, utcnow())

    async def revoke(self, principal: Principal, session_id: int) -> None:
        session = await self._sessions.get(session_id)
        # Someone else's session is "not found", never "forbidden": ids reveal nothing.
        if session is None or session.user_id != principal.id or session.revoked_at is not None:
            raise NotFound("Session not found.")
        session.revoked_at, session.revoked_reason = utcnow(), "revoked_by_user"
        await self._revocation.revoke_session(principal.id, session.id, "revoked_by_user")
        await self._audit.record(
            AuditEvent.SESSION_REVOKED,
            actor_id=principal.id,
            target_id=principal.id,
            details={"session_id": session.id, "cause": "revoked_by_user"},
        )
