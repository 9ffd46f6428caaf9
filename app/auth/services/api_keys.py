"""API keys (personal access tokens): created with scopes and an optional expiry, listed without
their secret, revoked by their owner or an administrator, and checked on every request.

A key is checked against the database on each request (the key and its owner in one query), so
a revocation or the owner's deactivation or deletion holds at the next request on every process:
nothing about a key is cached anywhere. Its last use is recorded at most once a minute.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from app.auth.config import AuthConfig
from app.auth.emails.templates import ApiKeyCreatedEmail
from app.auth.events import AccessRevoked
from app.auth.exceptions import ApiKeyLimitReached, InvalidToken, NotFound
from app.auth.models import ApiKey, User
from app.auth.policies.users import ensure_outranks
from app.auth.repositories.api_key import ApiKeyRepository
from app.auth.repositories.user import UserRepository
from app.auth.schemas.api_key import ApiKeyCreate
from app.auth.schemas.audit import AuditEvent
from app.auth.schemas.principal import Principal
from app.auth.schemas.scopes import scopes_of_role
from app.auth.services.api_key_tokens import matches, new_api_key_token, public_id_of
from app.auth.services.audit import AuditTrail
from app.core.clock import utcnow
from app.core.errors import InvalidInput
from app.core.events import EventsServiceInterface
from app.core.mail import EmailData, MailServiceInterface

# A key's last use is written when the one recorded is older than this: about one write a
# minute per key in use, whatever its request rate.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class KeyUse:
    """A use of a key to record: its id and the last use it had when it was read."""

    key_id: int
    owner_id: int
    previous: datetime | None


@dataclass(frozen=True, slots=True)
class Authentication:
    """Who a credential names, and for an API key whose recorded last use is due, that use."""

    principal: Principal
    use: KeyUse | None = None


class ApiKeyService:
    def __init__(
        self,
        *,
        keys: ApiKeyRepository,
        users: UserRepository,
        events: EventsServiceInterface,
        mail: MailServiceInterface,
        audit: AuditTrail,
        config: AuthConfig,
        project_name: str,
    ) -> None:
        self._keys = keys
        self._users = users
        self._events = events
        self._audit = audit
        self._mail = mail
        self._config = config
        self._project_name = project_name

    # ------------------------------------------------------------------ the owner's

    async def create(self, principal: Principal, data: ApiKeyCreate) -> tuple[ApiKey, str]:
        """The new key and its token (returned this once, stored only as a hash). The owner is
        mailed in the same transaction."""
        user = await self._owner(principal.id)
        await self._users.lock(user)  # one creation at a time per user: the limit holds
        limit = self._config.API_KEYS_PER_USER
        if await self._keys.count_live(user.id) >= limit:
            raise ApiKeyLimitReached(limit)
        scopes = sorted(set(data.scopes))
        beyond_role = [scope for scope in scopes if scope not in scopes_of_role(user.role_enum)]
        if beyond_role:
            raise InvalidInput(
                [
                    {
                        "loc": ["body", "scopes"],
                        "msg": f"Your role does not have: {', '.join(beyond_role)}",
                        "type": "scope",
                    }
                ]
            )
        now = utcnow()
        token = new_api_key_token()
        key = await self._keys.create(
            {
                "user_id": user.id,
                "name": data.name,
                "public_id": token.public_id,
                "token_hash": token.digest,
                "scopes": scopes,
                "expires_at": now + timedelta(days=data.expires_in_days) if data.expires_in_days else None,
            }
        )
        await self._mail.queue(
            ApiKeyCreatedEmail(
                username=user.username,
                key_name=key.name,
                prefix=key.prefix,
                scopes=", ".join(scopes),
                expires_at=f"{key.expires_at:%Y-%m-%d %H:%M} UTC" if key.expires_at else None,
                project_name=self._project_name,
            ),
            EmailData(subject="A new API key was created for your account", recipient=user.email),
        )
        await self._audit.record(
            AuditEvent.API_KEY_CREATED,
            actor_id=principal.id,
            target_id=user.id,
            details={"api_key_id": key.id, "prefix": key.prefix, "scopes": scopes},
        )
        return key, token.token

    async def list_own(self, principal: Principal) -> list[ApiKey]:
        return await self._keys.live_for_user(principal.id)

    async def revoke(self, principal: Principal, key_id: int) -> None:
        """Another user's key, or one already revoked, is "not found"."""
        await self._revoke(principal, principal.id, key_id, "api_key_revoked")

    # ------------------------------------------------------------------ administration

    async def list_for(self, actor: Principal, user_id: int) -> list[ApiKey]:
        await self._subordinate(actor, user_id)
        return await self._keys.live_for_user(user_id)

    async def revoke_for(self, actor: Principal, user_id: int, key_id: int) -> None:
        await self._subordinate(actor, user_id)
        await self._revoke(actor, user_id, key_id, "api_key_revoked_by_admin")

    async def revoke_all_for(self, actor: Principal, user_id: int) -> int:
        await self._subordinate(actor, user_id)
        revoked = await self._keys.revoke_all(user_id, utcnow())
        for key_id in revoked:
            await self._revoked(actor, user_id, key_id, "api_key_revoked_by_admin")
        return len(revoked)

    # ------------------------------------------------------------------ requests made with a key

    async def authenticate(self, token: str) -> Authentication:
        """The owner of a live key, with the key's scopes; InvalidToken (401) for anything else:
        a malformed, unknown, revoked or expired key, or an owner deactivated or deleted."""
        public_id = public_id_of(token)
        found = await self._keys.with_owner(public_id) if public_id else None
        if found is None or not matches(token, found[0].token_hash):
            raise InvalidToken()
        key, owner = found
        now = utcnow()
        if key.revoked_at is not None:
            raise InvalidToken("This API key was revoked.")
        if key.expires_at is not None and key.expires_at <= now:
            raise InvalidToken("This API key has expired.")
        if not owner.is_active:
            raise InvalidToken()
        # Checked again within an access token's lifetime by whatever holds the principal long
        # (a WebSocket closes then), as a session's access token would be.
        recheck_at = now + timedelta(seconds=self._config.ACCESS_TOKEN_TTL)
        expires_at = min(recheck_at, key.expires_at) if key.expires_at else recheck_at
        principal = replace(
            Principal.of(owner), expires_at=expires_at, api_key_id=key.id, key_scopes=frozenset(key.scopes)
        )
        due = key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION
        return Authentication(principal, KeyUse(key.id, owner.id, key.last_used_at) if due else None)

    async def record_use(self, use: KeyUse) -> bool:
        """Write the key's last use (once, however many requests race to); whether this was the
        key's first use, which the audit log records."""
        recorded = await self._keys.mark_used(use.key_id, utcnow(), use.previous)
        first = recorded and use.previous is None
        if first:
            await self._audit.record(
                AuditEvent.API_KEY_FIRST_USED,
                actor_id=use.owner_id,
                target_id=use.owner_id,
                details={"api_key_id": use.key_id},
            )
        return first

    # ------------------------------------------------------------------ helpers

    async def _owner(self, user_id: int) -> User:
        user = await self._users.get(user_id)
        if user is None:
            raise NotFound("User not found.")
        return user

    async def _subordinate(self, actor: Principal, user_id: int) -> None:
        user = await self._owner(user_id)
        ensure_outranks(actor, user.role_enum, user.id)

    async def _revoke(self, actor: Principal, user_id: int, key_id: int, reason: str) -> None:
        key = await self._keys.live_of_user(user_id, key_id)
        if key is None:
            raise NotFound("API key not found.")
        await self._keys.update(key, {"revoked_at": utcnow()})
        await self._revoked(actor, user_id, key.id, reason)

    async def _revoked(self, actor: Principal, user_id: int, key_id: int, reason: str) -> None:
        await self._audit.record(
            AuditEvent.API_KEY_REVOKED, actor_id=actor.id, target_id=user_id, details={"api_key_id": key_id}
        )
        # Open connections made with the key (WebSockets) close on every process.
        self._events.dispatch(AccessRevoked(user_id=user_id, api_key_id=key_id, reason=reason))
