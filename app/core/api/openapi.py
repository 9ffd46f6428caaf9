"""OpenAPI that matches what the API really sends: every error response is problem+json.

FastAPI documents 422s as `HTTPValidationError` in application/json and adds application/json to
every `responses=` entry with a model; both are rewritten here to the Problem schema in
application/problem+json, each time FastAPI generates the schema.
"""

from typing import Any

from fastapi import FastAPI
from pydantic.json_schema import models_json_schema

from app.core.api.problems import PROBLEM_CONTENT_TYPE, Problem

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _problem_schemas() -> dict[str, Any]:
    _, schema = models_json_schema([(Problem, "serialization")], ref_template="#/components/schemas/{model}")
    return dict(schema["$defs"])


def _rewrite_error_responses(schema: dict[str, Any]) -> None:
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation:
                # A body that cannot be read at all (not the declared encoding) is a 400.
                responses.setdefault("400", {"description": "Bad Request"})
            for status, response in responses.items():
                if status[0] in "45":
                    response["content"] = {PROBLEM_CONTENT_TYPE: {"schema": _PROBLEM_REF}}
                    if status == "422":
                        response["description"] = "Validation Error"


def install_problem_openapi(app: FastAPI) -> None:
    generate = app.openapi
    rewritten: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        # FastAPI regenerates its schema when routes change; rewrite each new one exactly once.
        schema = generate()
        if not rewritten or rewritten[-1] is not schema:
            _rewrite_error_responses(schema)
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            for name in _FASTAPI_VALIDATION_SCHEMAS:
                schemas.pop(name, None)
            schemas.update(_problem_schemas())
            rewritten[:] = [schema]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
