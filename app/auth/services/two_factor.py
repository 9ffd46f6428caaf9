"""Two-factor authentication: TOTP enrolment, recovery codes, and checking a second factor.

Enrolment happens in two steps: `start_enrolment` stores a new secret (encrypted) as pending and
shows it once; `confirm_enrolment` turns two-factor on when the user proves their app has it,
and shows the recovery codes once. A second factor is checked by `verify`, for a sign-in's
second step and for re-authentication alike: a TOTP code is accepted once (its time step is
recorded atomically), a recovery code is spent and its owner mailed.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from app.auth.emails.templates import RecoveryCodeUsed, TwoFactorDisabled, TwoFactorEnabled
from app.auth.exceptions import (
    InvalidPasscode,
    NoPendingEnrolment,
    NotFound,
    TwoFactorAlreadyEnabled,
    TwoFactorNotEnabled,
    TwoFactorUnavailable,
)
from app.auth.models import User, UserTotp
from app.auth.repositories.recovery_code import RecoveryCodeRepository
from app.auth.repositories.sign_in_session import SignInSessionRepository
from app.auth.repositories.user import UserRepository
from app.auth.repositories.user_totp import UserTotpRepository
from app.auth.schemas.audit import AuditEvent
from app.auth.schemas.principal import Principal
from app.auth.schemas.two_factor import SecondFactorMethod
from app.auth.services.audit import AuditTrail
from app.auth.services.one_time_codes import (
    is_recovery_code,
    is_totp_code,
    matching_step,
    new_recovery_codes,
    new_totp_secret,
    normalize_passcode,
    provisioning_uri,
    qr_code_data_uri,
    recovery_code_digest,
)
from app.auth.services.revocation import AccessRevocation
from app.auth.services.secret_box import SecretBox, UndecryptableSecret
from app.core.clock import utcnow
from app.core.log import logger
from app.core.mail import EmailData, MailServiceInterface


@dataclass(frozen=True, slots=True)
class Enrolment:
    secret: str
    otpauth_uri: str
    qr_code: str


@dataclass(frozen=True, slots=True)
class Status:
    enabled_at: datetime | None
    recovery_codes_left: int


class TwoFactorService:
    def __init__(
        self,
        *,
        users: UserRepository,
        totps: UserTotpRepository,
        recovery_codes: RecoveryCodeRepository,
        box: SecretBox,
        mail: MailServiceInterface,
        audit: AuditTrail,
        sessions: SignInSessionRepository,
        revocation: AccessRevocation,
        project_name: str,
    ) -> None:
        self._audit = audit
        self._sessions = sessions
        self._revocation = revocation
        self._users = users
        self._totps = totps
        self._recovery_codes = recovery_codes
        self._box = box
        self._mail = mail
        self._project_name = project_name

    async def _user(self, user_id: int) -> User:
        user = await self._users.get(user_id)
        if user is None:
            raise NotFound("User not found.")
        return user

    # ------------------------------------------------------------------ the owner's settings

    async def is_enabled(self, user_id: int) -> bool:
        return await self._totps.is_enabled(user_id)

    async def status(self, principal: Principal) -> Status:
        totp = await self._totps.confirmed_for_user(principal.id)
        if totp is None:
            return Status(enabled_at=None, recovery_codes_left=0)
        return Status(totp.confirmed_at, await self._recovery_codes.count_unused(principal.id))

    async def start_enrolment(self, principal: Principal) -> Enrolment:
        """A new pending secret, replacing any earlier pending one."""
        user = await self._user(principal.id)
        existing = await self._totps.for_update(user.id)
        if existing is not None and existing.confirmed_at is not None:
            raise TwoFactorAlreadyEnabled()
        secret = new_totp_secret()
        if existing is None:
            await self._totps.create({"user_id": user.id, "encrypted_secret": self._box.encrypt(secret)})
        else:
            await self._totps.update(
                existing, {"encrypted_secret": self._box.encrypt(secret), "last_used_step": None}
            )
        uri = provisioning_uri(secret, account=user.email, issuer=self._project_name)
        return Enrolment(secret=secret, otpauth_uri=uri, qr_code=qr_code_data_uri(uri))

    async def confirm_enrolment(self, principal: Principal, passcode: str) -> list[str]:
        """Turns two-factor on once `passcode` is a current code of the pending secret; returns
        the recovery codes (shown once)."""
        user = await self._user(principal.id)
        totp = await self._totps.for_update(user.id)
        if totp is None:
            raise NoPendingEnrolment()
        if totp.confirmed_at is not None:
            raise TwoFactorAlreadyEnabled()
        code = normalize_passcode(passcode)
        step = matching_step(self._secret_of(totp), code, utcnow()) if is_totp_code(code) else None
        if step is None:
            await self._failed(user, "wrong_code_at_enrolment", actor_id=user.id)
        await self._totps.update(totp, {"confirmed_at": utcnow(), "last_used_step": step})
        await self._audit.record(AuditEvent.TWO_FACTOR_ENABLED, actor_id=user.id, target_id=user.id)
        # Every other session signed in with the password alone, perhaps by whoever else knows it:
        # they end now (their access tokens at their next request, on every process), or one of
        # them could step up with the password and turn the second factor off again.
        ended = await self._sessions.revoke_for_user(
            user.id, utcnow(), "two_factor_enabled", except_id=principal.session_id
        )
        for session_id in ended:
            await self._revocation.revoke_session(user.id, session_id, "two_factor_enabled")
        codes = await self._new_recovery_codes(user.id)
        await self._mail.queue(
            TwoFactorEnabled(username=user.username, project_name=self._project_name),
            EmailData(subject="Two-factor authentication is on", recipient=user.email),
        )
        return codes

    async def disable(self, principal: Principal) -> None:
        user = await self._user(principal.id)
        totp = await self._totps.for_update(user.id)
        if totp is None or totp.confirmed_at is None:
            raise TwoFactorNotEnabled()
        await self._totps.delete_for_user(user.id)
        await self._recovery_codes.delete_for_user(user.id)
        await self._audit.record(AuditEvent.TWO_FACTOR_DISABLED, actor_id=user.id, target_id=user.id)
        await self._mail.queue(
            TwoFactorDisabled(username=user.username, project_name=self._project_name),
            EmailData(subject="Two-factor authentication is off", recipient=user.email),
        )

    async def regenerate_recovery_codes(self, principal: Principal) -> list[str]:
        """New codes; every earlier one stops working."""
        totp = await self._totps.for_update(principal.id)
        if totp is None or totp.confirmed_at is None:
            raise TwoFactorNotEnabled()
        await self._audit.record(
            AuditEvent.RECOVERY_CODES_REGENERATED, actor_id=principal.id, target_id=principal.id
        )
        return await self._new_recovery_codes(principal.id)

    async def _new_recovery_codes(self, user_id: int) -> list[str]:
        codes = new_recovery_codes()
        await self._recovery_codes.replace(user_id, [recovery_code_digest(code) for code in codes])
        return codes

    # ------------------------------------------------------------------ checking a second factor

    async def verify(self, user: User, passcode: str) -> SecondFactorMethod:
        """Accept `passcode` as the user's second factor, or raise InvalidPasscode: a TOTP code
        of a step not used before (one step of clock skew either way), or an unused recovery
        code, which is spent and its use mailed to the owner."""
        code = normalize_passcode(passcode)
        method: SecondFactorMethod
        try:
            if is_totp_code(code):
                await self._accept_totp(user, code)
                method = "totp"
            elif is_recovery_code(code):
                await self._spend_recovery_code(user, code)
                method = "recovery_code"
            else:
                raise InvalidPasscode()
        except InvalidPasscode:
            await self._failed(user, "wrong_code")
        await self._audit.record(
            AuditEvent.TWO_FACTOR_USED, actor_id=user.id, target_id=user.id, details={"method": method}
        )
        return method

    async def _failed(self, user: User, reason: str, *, actor_id: int | None = None) -> NoReturn:
        # Recorded although the error rolls the request back; the reason stays internal.
        await self._audit.record_failure(
            AuditEvent.TWO_FACTOR_FAILED, actor_id=actor_id, target_id=user.id, details={"reason": reason}
        )
        raise InvalidPasscode()

    async def _accept_totp(self, user: User, code: str) -> None:
        totp = await self._totps.confirmed_for_user(user.id)
        if totp is None:
            raise InvalidPasscode()
        step = matching_step(self._secret_of(totp), code, utcnow())
        if step is None or not await self._totps.claim_step(totp.id, step):
            raise InvalidPasscode()

    async def _spend_recovery_code(self, user: User, code: str) -> None:
        if not await self._totps.is_enabled(user.id):
            raise InvalidPasscode()
        if not await self._recovery_codes.use(user.id, recovery_code_digest(code), utcnow()):
            raise InvalidPasscode()
        remaining = await self._recovery_codes.count_unused(user.id)
        await self._audit.record(
            AuditEvent.RECOVERY_CODE_USED,
            actor_id=user.id,
            target_id=user.id,
            details={"remaining": remaining},
        )
        await self._mail.queue(
            RecoveryCodeUsed(username=user.username, remaining=remaining, project_name=self._project_name),
            EmailData(subject="A recovery code was used", recipient=user.email),
        )

    def _secret_of(self, totp: UserTotp) -> str:
        """The decrypted secret; re-encrypted with the current key when an older one was used."""
        try:
            opened = self._box.decrypt(totp.encrypted_secret)
        except UndecryptableSecret as error:
            logger.error(
                "totp secret cannot be decrypted with the configured keys",
                user_id=totp.user_id,
                hint="an AUTH_TOTP_ENCRYPTION_OLD_KEYS entry was removed too early",
            )
            raise TwoFactorUnavailable() from error
        if opened.stale:
            totp.encrypted_secret = self._box.encrypt(opened.plaintext)
        return opened.plaintext

    async def reencrypt_all(self) -> int:
        """Re-encrypt every secret still under an older key with the current one (after a key
        rotation, before the old key is dropped); returns how many were."""
        moved = 0
        for totp in await self._totps.all_for_update():
            try:
                opened = self._box.decrypt(totp.encrypted_secret)
            except UndecryptableSecret:
                logger.error("totp secret cannot be decrypted with the configured keys", user_id=totp.user_id)
                continue
            if opened.stale:
                totp.encrypted_secret = self._box.encrypt(opened.plaintext)
                moved += 1
        return moved
