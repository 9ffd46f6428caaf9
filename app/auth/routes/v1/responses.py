"""OpenAPI documentation of the responses the auth routes share."""

from typing import Any

from app.core.api import Problem, error_responses

STEP_UP_401 = {
    "model": Problem,
    "description": (
        "Not signed in (`not_authenticated`, `invalid_token`), or signed in too long ago for this "
        "action (`insufficient_user_authentication`, RFC 9470): re-authenticate at "
        "`POST /auth/step-up` and retry with the access token it returns."
    ),
    "headers": {
        "WWW-Authenticate": {
            "description": (
                'For a stale sign-in: `Bearer error="insufficient_user_authentication", '
                'error_description="...", max_age="<AUTH_STEP_UP_MAX_AGE>"`.'
            ),
            "schema": {"type": "string"},
        }
    },
}


def step_up_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`error_responses(*statuses)` for a route that needs a recent authentication: its 401 says
    how to get one."""
    return {**error_responses(*statuses), 401: STEP_UP_401}
