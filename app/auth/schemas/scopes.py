"""Scopes: what a credential may do, named `<area>:<action>`.

Every module declares its own scopes once, with `declare_scope` (the auth module's are below;
chat's are in app/chat/deps.py), and routes name the scope they need with `Scoped(...)`
(app.auth.deps). A session (an access token) holds every scope of its role; an API key holds the
scopes it was created with, intersected at each request with the scopes of its owner's role at
that moment, so a key never outlives a demotion's effect.

Some scopes are for sessions only (`api_keys=False`): `account` (credentials and sign-ins) and
`admin`. A key is a long-lived secret that lives in scripts, CI settings and config files, is
used without a second factor or a recent sign-in, and leaks more often than a session: with
`account` a leaked key could mint more keys or change the password and outlive its own
revocation, and with `admin` it would act on other people's accounts. Those need an interactive
session, short-lived and bound to a sign-in.
"""

import re
from dataclasses import dataclass

from app.auth.models import Role

SCOPE_NAME = re.compile(r"^[a-z][a-z0-9_]*(:[a-z][a-z0-9_]*)?$")


@dataclass(frozen=True, slots=True)
class ScopeDefinition:
    name: str
    description: str
    # The lowest role whose sessions hold it.
    minimum_role: Role = Role.USER
    # Whether an API key may be created with it.
    api_keys: bool = True


# Filled as modules are imported (their routes name scopes when they are built, so every scope
# of an installed module is declared before the app serves).
_declared: dict[str, ScopeDefinition] = {}
# Scope -> description, for the OAuth2 scheme of the OpenAPI schema (kept in step with _declared).
descriptions: dict[str, str] = {}


def declare_scope(
    name: str, description: str, *, minimum_role: Role = Role.USER, api_keys: bool = True
) -> str:
    """Declare a scope (once per name; declaring it again identically is harmless); returns its
    name, for `Scoped(...)`."""
    if not SCOPE_NAME.fullmatch(name):
        raise ValueError(f"scope {name!r}: lower-case `area:action`")
    definition = ScopeDefinition(name, description, minimum_role, api_keys)
    if _declared.setdefault(name, definition) != definition:
        raise ValueError(f"scope {name!r} is already declared differently")
    descriptions[name] = description
    return name


def is_declared(name: str) -> bool:
    return name in _declared


def definitions() -> list[ScopeDefinition]:
    return sorted(_declared.values(), key=lambda scope: scope.name)


def scopes_of_role(role: Role) -> frozenset[str]:
    """What a session of `role` holds."""
    return frozenset(s.name for s in _declared.values() if role.rank >= s.minimum_role.rank)


def key_scopes() -> frozenset[str]:
    """What an API key may hold."""
    return frozenset(s.name for s in _declared.values() if s.api_keys)


def granted_to_key(created_with: frozenset[str], owner_role: Role) -> frozenset[str]:
    """What a key holds right now: the scopes it was created with that keys may still hold and
    its owner's role still has."""
    return created_with & key_scopes() & scopes_of_role(owner_role)


PROFILE_READ = declare_scope("profile:read", "Read your account (GET /profile).")
PROFILE_WRITE = declare_scope("profile:write", "Update your account (PATCH /profile).")
USERS_READ = declare_scope("users:read", "Read the user directory.")
ACCOUNT = declare_scope(
    "account",
    "Your credentials and sign-ins: password, account deletion, sessions, API keys, sign out. Sessions only.",
    api_keys=False,
)
ADMIN = declare_scope(
    "admin", "Administration of other accounts. Admin sessions only.", minimum_role=Role.ADMIN, api_keys=False
)
