"""Who a bearer credential names: an access token (a session's JWT) or an API key (`kit_pat_...`),
told apart by the key's prefix. Routes (app.auth.deps) and other modules (the gateway, for
WebSockets) authenticate through this one path."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.services.access import AccessStore
from app.auth.services.api_key_tokens import looks_like_api_key
from app.auth.services.api_keys import ApiKeyService, Authentication, KeyUse
from app.auth.services.current_user import resolve
from app.auth.services.tokens import AccessTokens


class Credentials:
    def __init__(
        self, *, tokens: AccessTokens, session: AsyncSession, access: AccessStore, api_keys: ApiKeyService
    ) -> None:
        self._tokens = tokens
        self._session = session
        self._access = access
        self._api_keys = api_keys

    async def authenticate(self, bearer: str) -> Authentication:
        """InvalidToken (401) for anything that is not a live credential, whatever its shape."""
        if looks_like_api_key(bearer):
            return await self._api_keys.authenticate(bearer)
        return Authentication(await resolve(bearer, self._tokens, self._session, self._access))

    async def record_use(self, use: KeyUse) -> None:
        """Record an API key's use (`Authentication.use`), in a unit of work that may write."""
        await self._api_keys.record_use(use)
