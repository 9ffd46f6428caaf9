"""Operation ids from where a route lives and what it is called: `auth-login`, `auth-users-get`,
`chat-rooms-create`, `chat-rooms-post-message`.

FastAPI's default (`create_room_api_v1_chat_rooms_post`) repeats the path and the method, and
generated clients name their functions after it. Here an id is, joined by hyphens:

- the module: the package under `app` (`app.chat...` -> `chat`; `app.core.health` -> `health`);
- the route group: the file under the module's `routes/` package (`routes/v1/rooms.py` ->
  `rooms`, `routes/v1/two_factor.py` -> `two-factor`), left out when it repeats the module
  (`auth/routes/v1/auth.py`);
- the route's name (its function's, `create_room`), without the words that only repeat the group
  or the module (`room`, `rooms`): `create`. A name that is nothing else leaves the group's id
  (`chat/routes/v1/demo.py: demo` -> `chat-demo`).

Stable while files and functions keep their names; tests check that every id is unique.
"""

from fastapi.routing import APIRoute


def _nouns(word: str) -> set[str]:
    """The word and its naive singular: `rooms` -> {rooms, room}."""
    return {word, word.removesuffix("s")} if word else set()


def operation_id(route: APIRoute) -> str:
    packages = route.endpoint.__module__.split(".")[1:]
    if packages[:1] == ["core"]:
        packages = packages[1:]
    module = packages[0] if packages else route.endpoint.__module__
    group = packages[-1] if "routes" in packages[:-1] else ""
    prefix = [module] if group in {"", module} else [module, group.replace("_", "-")]
    repeated = set().union(*(_nouns(word) for word in [*module.split("_"), *group.split("_")]))
    action = [word for word in route.name.lower().split("_") if word and word not in repeated]
    return "-".join(prefix + action)
