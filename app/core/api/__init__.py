"""HTTP-facing helpers shared by every module: list parameters, pages, problem responses, assets."""

from app.core.api.assets import Asset
from app.core.api.docs import install_docs
from app.core.api.handlers import install_exception_handlers
from app.core.api.ids import MAX_ID, ResourceId
from app.core.api.list_params import ListParamsBuilder
from app.core.api.openapi import install_problem_openapi
from app.core.api.operation_ids import operation_id
from app.core.api.pagination import PaginatedResponse
from app.core.api.problems import PROBLEM_CONTENT_TYPE, Problem, error_responses, problem_response
from app.core.api.responses import ModelResponse
from app.core.api.text import NOT_BLANK, NUL_FREE, WHITESPACE, strip_whitespace

__all__ = [
    "MAX_ID",
    "NOT_BLANK",
    "NUL_FREE",
    "PROBLEM_CONTENT_TYPE",
    "WHITESPACE",
    "Asset",
    "ListParamsBuilder",
    "ModelResponse",
    "PaginatedResponse",
    "Problem",
    "ResourceId",
    "error_responses",
    "install_docs",
    "install_exception_handlers",
    "install_problem_openapi",
    "operation_id",
    "problem_response",
    "strip_whitespace",
]
