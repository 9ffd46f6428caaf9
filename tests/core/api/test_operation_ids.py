"""Operation ids (what generated clients name their functions after) are short, readable and
unique: `<module>[-<group>]-<action>`, derived in one place from where each route lives."""

import re

from app.core.config import AppConfig
from app.main import create_app

PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)+")


def operation_ids(config: AppConfig) -> dict[str, str]:
    schema = create_app(config).openapi()
    return {
        f"{method.upper()} {path}": operation["operationId"]
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }


def test_every_operation_id_is_unique_and_hyphenated_lowercase(app_config: AppConfig) -> None:
    ids = list(operation_ids(app_config).values())
    assert ids
    assert [id_ for id_ in ids if not PATTERN.fullmatch(id_)] == []
    assert sorted(id_ for id_ in set(ids) if ids.count(id_) > 1) == []


def test_ids_name_the_module_the_route_group_and_the_action(app_config: AppConfig) -> None:
    ids = operation_ids(app_config)
    prefix = app_config.API_PREFIX
    assert ids[f"POST {prefix}/auth/login"] == "auth-login"
    assert ids[f"GET {prefix}/users/{{user_id}}"] == "auth-users-get"
    assert ids[f"PATCH {prefix}/profile"] == "auth-profile-update"
    assert ids[f"POST {prefix}/admin/users/{{user_id}}/grant-admin"] == "auth-admin-grant-role"
    assert ids[f"POST {prefix}/chat/rooms"] == "chat-rooms-create"
    assert ids[f"POST {prefix}/chat/rooms/{{room_id}}/messages"] == "chat-rooms-post-message"
    assert ids[f"GET {prefix}/chat/exports/{{job_id}}/download"] == "chat-exports-download"
    assert ids[f"GET {prefix}/chat/demo"] == "chat-demo"
    assert ids["GET /health/ready"] == "health-ready"
    # A group of two words: hyphenated, and neither word repeated in the action.
    assert ids[f"POST {prefix}/profile/two-factor/enrolment"] == "auth-two-factor-start-enrolment"
