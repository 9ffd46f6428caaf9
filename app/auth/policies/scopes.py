"""Scopes a caller must hold: one check for sessions and API keys alike."""

from collections.abc import Sequence

from app.auth.exceptions import InsufficientScope
from app.auth.schemas.principal import Principal
from app.auth.schemas.scopes import key_scopes


def ensure_scopes(principal: Principal, required: Sequence[str]) -> None:
    """Every scope of `required` is the principal's. A route that names no scope takes sessions
    only: an API key is refused there, so a route that forgot its scope never opens to keys."""
    if principal.api_key_id is not None and not required:
        raise InsufficientScope([], "API keys cannot be used here; this needs a signed-in session.")
    missing = [scope for scope in required if scope not in principal.scopes]
    if not missing:
        return
    names = ", ".join(missing)
    if principal.api_key_id is None:
        detail = f"Your role does not have the scope {names}."
    elif any(scope not in key_scopes() for scope in missing):
        detail = f"API keys never hold the scope {names}; this needs a signed-in session."
    else:
        detail = f"This API key does not have the scope {names}."
    raise InsufficientScope(missing, detail)
