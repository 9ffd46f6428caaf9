"""Accounts: registration, profile, password, deletion, and what administrators may do."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError

from app.auth.config import AuthConfig
from app.auth.emails.templates import EmailChanged
from app.auth.emails.templates import PasswordChanged as PasswordChangedEmail
from app.auth.events import PasswordChanged, UserCreated, UserDeleted, UserUpdated
from app.auth.exceptions import (
    AlreadyTaken,
    InvalidCredentials,
    LastSuperAdmin,
    NotFound,
    RegistrationClosed,
    WeakPassword,
)
from app.auth.models import PASSWORD_RESET, Role, User
from app.auth.policies.step_up import ensure_recent_authentication
from app.auth.policies.users import ensure_can_create, ensure_outranks, ensure_super_admin
from app.auth.repositories.action_token import ActionTokenRepository
from app.auth.repositories.api_key import ApiKeyRepository
from app.auth.repositories.sign_in_session import SignInSessionRepository
from app.auth.repositories.user import UserRepository
from app.auth.schemas.audit import AuditEvent
from app.auth.schemas.principal import Principal
from app.auth.schemas.user import PUBLIC_USER_FIELDS, UserCreate, UserFilterParam, UserListParams, UserUpdate
from app.auth.services.attempts import PasswordCheckLimit
from app.auth.services.audit import AuditTrail
from app.auth.services.links import AccountLinks
from app.auth.services.passwords import PasswordHasher, password_problem
from app.auth.services.revocation import AccessRevocation
from app.core.clock import utcnow
from app.core.db import PaginatedResult
from app.core.errors import InvalidInput
from app.core.events import EventsServiceInterface
from app.core.mail import EmailData, MailServiceInterface

# Why every access token of a user ended, by how the password was replaced (PasswordChanged.how).
_PASSWORD_REVOCATIONS = {
    "changed": "password_changed",
    "reset": "password_reset",
    "set": "password_set_by_admin",
}
# How the password-changed email words it, by PasswordChanged.how.
_PASSWORD_CHANGES = {
    "changed": "changed",
    "reset": "reset with a reset link",
    "set": "set by an administrator",
}


class UserService:
    def __init__(
        self,
        *,
        users: UserRepository,
        sessions: SignInSessionRepository,
        action_tokens: ActionTokenRepository,
        api_keys: ApiKeyRepository,
        links: AccountLinks,
        revocation: AccessRevocation,
        audit: AuditTrail,
        password_checks: PasswordCheckLimit,
        hasher: PasswordHasher,
        events: EventsServiceInterface,
        mail: MailServiceInterface,
        config: AuthConfig,
        project_name: str,
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._action_tokens = action_tokens
        self._api_keys = api_keys
        self._links = links
        self._revocation = revocation
        self._audit = audit
        self._password_checks = password_checks
        self._hasher = hasher
        self._events = events
        self._mail = mail
        self._config = config
        self._project_name = project_name

    # ------------------------------------------------------------------ reading

    async def get(self, user_id: int, viewer: Principal | None = None) -> User:
        user = await self._users.get(user_id)
        # Deactivated accounts are "not found" to everyone but administrators.
        if user is None or (
            viewer is not None and not viewer.is_admin and not user.is_active and user.id != viewer.id
        ):
            raise NotFound("User not found.")
        return user

    async def list(self, params: UserListParams, viewer: Principal) -> PaginatedResult[User]:
        if not viewer.is_admin:
            # Ordinary users may not probe private fields through sorting or filtering.
            fields = [(p.field, "sort") for p in params.sort or ()] + [
                (p.field, "filters") for p in params.filters or ()
            ]
            hidden = [(name, param) for name, param in fields if name not in PUBLIC_USER_FIELDS]
            if hidden:
                name, param = hidden[0]
                raise InvalidInput(
                    [{"loc": ["query", param], "msg": f"{name}: unknown field", "type": "invalid_field"}]
                )
            # Deactivated accounts are visible to administrators only.
            active_only = UserFilterParam(field="is_active", value="true")
            params = params.model_copy(update={"filters": [*(params.filters or ()), active_only]})
        return await self._users.list(params)

    # ------------------------------------------------------------------ creating

    async def _check_password(
        self, password: str, *, username: str | None, email: str | None, field: str = "password"
    ) -> None:
        shortest, longest = self._config.PASSWORD_MIN_LENGTH, self._config.PASSWORD_MAX_LENGTH
        if not shortest <= len(password) <= longest:
            raise WeakPassword(f"The password must be {shortest} to {longest} characters long.", field)
        problem = password_problem(password, username=username, email=email)
        if problem:
            raise WeakPassword(problem, field)

    async def _ensure_free(
        self, *, email: str | None, username: str | None, exclude_id: int | None = None
    ) -> None:
        taken = await self._users.taken(email=email, username=username, exclude_id=exclude_id)
        if taken:
            raise AlreadyTaken(
                f"This {' and '.join(sorted(taken))} is already in use.", extra={"fields": sorted(taken)}
            )

    async def _create(self, data: UserCreate, role: Role, *, self_registered: bool) -> User:
        password = data.password.get_secret_value()
        await self._check_password(password, username=data.username, email=data.email)
        await self._ensure_free(email=data.email, username=data.username)
        values = {
            "email": data.email,
            "username": data.username,
            "password_hash": await self._hasher.hash(password),
            "role": role.value,
        }
        try:
            user = await self._users.create(values)
        except IntegrityError as error:
            # A concurrent registration took the email or username between check and insert.
            raise AlreadyTaken("This email or username is already in use.") from error
        self._events.dispatch(
            UserCreated(id=user.id, email=user.email, username=user.username, self_registered=self_registered)
        )
        return user

    async def register(self, data: UserCreate) -> User:
        if not self._config.registration_allowed:
            raise RegistrationClosed()
        user = await self._create(data, Role.USER, self_registered=True)
        await self._links.send_verification(user)
        return user

    async def create_by_admin(self, actor: Principal, data: UserCreate, role: Role) -> User:
        ensure_can_create(actor, role)
        user = await self._create(data, role, self_registered=False)
        # The administrator vouches for the address; the password is never mailed.
        user.email_verified_at = utcnow()
        await self._audit.record(
            AuditEvent.USER_CREATED_BY_ADMIN,
            actor_id=actor.id,
            target_id=user.id,
            details={"role": role.value},
        )
        return user

    async def create_superuser(self, data: UserCreate) -> User:
        """For the CLI and deployment scripts only."""
        user = await self._create(data, Role.SUPER_ADMIN, self_registered=False)
        user.email_verified_at = utcnow()
        return user

    # ------------------------------------------------------------------ the caller's own account

    async def _verify_password(self, user: User, password: str) -> None:
        # Counted before hashing: past the limit even the right password is refused.
        await self._password_checks.spend(user.id)
        valid, _ = await self._hasher.verify(password, user.password_hash)
        if not valid:
            raise InvalidCredentials("The current password is incorrect.")

    async def update_profile(self, principal: Principal, data: UserUpdate) -> User:
        user = await self.get(principal.id)
        changes: dict[str, Any] = {}
        if data.username is not None and data.username != user.username:
            changes["username"] = data.username
        if data.email is not None and data.email != user.email:
            # A new address controls password resets: as sensitive as the password itself.
            ensure_recent_authentication(principal, self._config)
            if data.current_password is None:
                raise InvalidInput(
                    [
                        {
                            "loc": ["body", "current_password"],
                            "msg": "Required to change the email.",
                            "type": "missing",
                        }
                    ]
                )
            await self._verify_password(user, data.current_password.get_secret_value())
            changes["email"] = data.email
        if not changes:
            return user
        old_email = user.email
        await self._ensure_free(
            email=changes.get("email"), username=changes.get("username"), exclude_id=user.id
        )
        # A new address must be verified again.
        verified = {"email_verified_at": None} if "email" in changes else {}
        try:
            await self._users.update(user, changes | verified)
        except IntegrityError as error:
            raise AlreadyTaken("This email or username is already in use.") from error
        if "email" in changes:
            await self._email_changed(user, old_email)
            await self._audit.record(
                AuditEvent.EMAIL_CHANGED,
                actor_id=principal.id,
                target_id=user.id,
                details={"old_email": old_email, "new_email": user.email},
            )
        self._revocation.forget_after_commit(user.id)
        self._events.dispatch(
            UserUpdated(id=user.id, changed=sorted(changes), email_changed="email" in changes)
        )
        return user

    async def _email_changed(self, user: User, old_email: str) -> None:
        """A reset link mailed to the old address stops working (whoever reads that mailbox no
        longer owns the account), the old address is told, in case the change was not the
        owner's doing, and the new one gets a verification link."""
        project_name = self._project_name
        await self._action_tokens.retire(user.id, PASSWORD_RESET, utcnow())
        await self._mail.queue(
            EmailChanged(username=user.username, project_name=project_name),
            EmailData(subject=f"Your {project_name} email address was changed", recipient=old_email),
        )
        await self._links.send_verification(user)

    async def change_password(self, principal: Principal, current: str, new: str) -> None:
        user = await self.get(principal.id)
        await self._verify_password(user, current)
        await self.apply_password(user, new, how="changed")
        await self._audit.record(AuditEvent.PASSWORD_CHANGED, actor_id=principal.id, target_id=user.id)
        # Other devices are signed out; this one keeps its session but needs a new access token
        # at its next refresh (the token version moved).
        await self._sessions.revoke_for_user(
            user.id, utcnow(), "password_changed", except_id=principal.session_id
        )

    async def apply_password(self, user: User, new: str, *, how: str, field: str = "new_password") -> None:
        """Set a new password: checked, hashed, every earlier access token retired."""
        await self._check_password(new, username=user.username, email=user.email, field=field)
        user.password_hash = await self._hasher.hash(new)
        user.token_version += 1
        await self._revocation.revoke_all(user.id, user.token_version, _PASSWORD_REVOCATIONS[how])
        await self._mail.queue(
            PasswordChangedEmail(
                username=user.username, how=_PASSWORD_CHANGES[how], project_name=self._project_name
            ),
            EmailData(subject="Your password was changed", recipient=user.email),
        )
        self._events.dispatch(PasswordChanged(id=user.id, how=how))

    async def delete_profile(self, principal: Principal, password: str) -> None:
        user = await self.get(principal.id)
        await self._verify_password(user, password)
        await self._ensure_not_last_super_admin(user)
        keys = await self._retire(user)
        await self._audit.record(
            AuditEvent.ACCOUNT_DELETED, actor_id=principal.id, target_id=user.id, details=_keys_revoked(keys)
        )

    async def _retire(self, user: User) -> Sequence[int]:
        """Delete the account; the ids of the API keys that ended with it."""
        await self._users.delete(user)
        user.token_version += 1
        await self._sessions.revoke_for_user(user.id, utcnow(), "account_deleted")
        keys = await self._api_keys.revoke_all(user.id, utcnow())
        await self._revocation.revoke_all(user.id, user.token_version, "account_deleted")
        self._events.dispatch(UserDeleted(id=user.id))
        return keys

    async def _ensure_not_last_super_admin(self, user: User) -> None:
        if user.role_enum is Role.SUPER_ADMIN:
            await self._users.lock(user)
            if await self._users.count_active_super_admins() <= 1:
                raise LastSuperAdmin()

    # ------------------------------------------------------------------ administration

    async def _target(self, actor: Principal, user_id: int) -> User:
        user = await self.get(user_id)
        await self._users.lock(user)
        ensure_outranks(actor, user.role_enum, user.id)
        return user

    async def set_active(self, actor: Principal, user_id: int, active: bool) -> User:
        user = await self._target(actor, user_id)
        if user.is_active == active:
            return user
        user.is_active = active
        user.token_version += 1
        keys: Sequence[int] = ()
        if active:
            self._revocation.forget_after_commit(user.id)
        else:
            await self._sessions.revoke_for_user(user.id, utcnow(), "deactivated")
            # Like its sessions, its API keys end for good (reactivation does not bring them back).
            keys = await self._api_keys.revoke_all(user.id, utcnow())
            await self._revocation.revoke_all(user.id, user.token_version, "deactivated")
        await self._audit.record(
            AuditEvent.STATUS_CHANGED,
            actor_id=actor.id,
            target_id=user.id,
            details={"is_active": active, **_keys_revoked(keys)},
        )
        self._events.dispatch(UserUpdated(id=user.id, changed=["is_active"]))
        return user

    async def set_admin(self, actor: Principal, user_id: int, admin: bool) -> User:
        ensure_super_admin(actor)
        user = await self._target(actor, user_id)
        role = Role.ADMIN if admin else Role.USER
        if user.role_enum is role:
            return user
        old_role, user.role = user.role, role.value
        user.token_version += 1
        await self._revocation.revoke_all(user.id, user.token_version, "role_changed")
        await self._audit.record(
            AuditEvent.ROLE_CHANGED,
            actor_id=actor.id,
            target_id=user.id,
            details={"old_role": old_role, "new_role": role.value},
        )
        self._events.dispatch(UserUpdated(id=user.id, changed=["role"]))
        return user

    async def set_password_by_admin(self, actor: Principal, user_id: int, password: str) -> None:
        user = await self._target(actor, user_id)
        await self.apply_password(user, password, how="set", field="password")
        await self._sessions.revoke_for_user(user.id, utcnow(), "password_set_by_admin")
        await self._audit.record(AuditEvent.PASSWORD_SET_BY_ADMIN, actor_id=actor.id, target_id=user.id)

    async def delete_by_admin(self, actor: Principal, user_id: int) -> None:
        """Soft, like a user's own deletion: every session ends, the username and email are freed."""
        user = await self._target(actor, user_id)
        keys = await self._retire(user)
        await self._audit.record(
            AuditEvent.USER_DELETED_BY_ADMIN,
            actor_id=actor.id,
            target_id=user.id,
            details=_keys_revoked(keys),
        )


def _keys_revoked(key_ids: Sequence[int]) -> dict[str, object]:
    """The API keys an account change ended, for its audit entry (none: nothing to say)."""
    return {"revoked_api_key_ids": list(key_ids)} if key_ids else {}
