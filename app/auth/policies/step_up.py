"""How recent an authentication sensitive actions need (RFC 9470 step-up)."""

from app.auth.config import AuthConfig
from app.auth.exceptions import InsufficientScope, InsufficientUserAuthentication
from app.auth.schemas.principal import Principal
from app.auth.schemas.scopes import ACCOUNT
from app.core.clock import utcnow


def ensure_recent_authentication(actor: Principal, config: AuthConfig) -> None:
    """The caller's token must say it authenticated (`auth_time`) at most AUTH_STEP_UP_MAX_AGE
    seconds ago, else 401 insufficient_user_authentication with `max_age` in WWW-Authenticate.
    An API key never authenticated anyone and cannot re-authenticate: 403, as for `account`."""
    if actor.api_key_id is not None:
        raise InsufficientScope([ACCOUNT], "API keys cannot do this; it needs a recent sign-in (a session).")
    max_age = config.STEP_UP_MAX_AGE
    if actor.auth_time is None or (utcnow() - actor.auth_time).total_seconds() > max_age:
        raise InsufficientUserAuthentication(max_age)
