"""`ListParamsBuilder`: the query-string syntax of every list endpoint.

    GET /users?sort=id:desc,username:asc&page=1&per_page=3&filters=id:[1,2],username:ilike:jo%

- `sort`: comma-separated `field[:asc|desc]`.
- `filters`: comma-separated `field:value` (equality), `field:[v1,v2]` (in),
  `field:operator:value` with operator one of eq, ne, in, nin, like, ilike, gt, gte, lt, lte,
  isnull (`deleted_at:isnull:true`). A backslash escapes `,` `[` `]` `:` and itself in values.

Every malformed parameter is a 422 problem naming the parameter, never a 500.
"""

from typing import Annotated, Any

from fastapi import Query
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.core.db import MAX_PER_PAGE, FilterOperator, FilterParam, ListParams, SortParam
from app.core.db.params import DEFAULT_PER_PAGE, MAX_PAGE

_MAX_QUERY_LENGTH = 2000
_SPECIAL = ",[]:\\"
_OPERATORS = frozenset(operator.value for operator in FilterOperator)


class ListSyntaxError(ValueError):
    pass


def _split(text: str, separator: str, *, limit: int = -1) -> list[str]:
    """Split on `separator` outside brackets, honouring backslash escapes (kept for later steps)."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            if index + 1 >= len(text) or text[index + 1] not in _SPECIAL:
                raise ListSyntaxError("a backslash must escape one of , [ ] : \\")
            current.append(text[index : index + 2])
            index += 2
            continue
        if char == "[":
            depth += 1
            if depth > 1:
                raise ListSyntaxError("nested brackets are not allowed")
        elif char == "]":
            depth -= 1
            if depth < 0:
                raise ListSyntaxError("unbalanced brackets")
        if char == separator and depth == 0 and (limit < 0 or len(parts) < limit):
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    if depth != 0:
        raise ListSyntaxError("unbalanced brackets")
    parts.append("".join(current))
    return parts


def _unescape(text: str) -> str:
    """Drop escaping backslashes; an unescaped bracket here is misplaced (lists are `[a,b]`)."""
    result: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            result.append(next(chars))
        elif char in "[]":
            raise ListSyntaxError("brackets are only allowed around a whole list value")
        else:
            result.append(char)
    return "".join(result)


def _parse_value(raw: str) -> str | list[str]:
    if raw.startswith("[") and raw.endswith("]"):
        inner = raw[1:-1]
        if not inner.strip():
            raise ListSyntaxError("an empty list matches nothing")
        return [_unescape(item) for item in _split(inner, ",")]
    return _unescape(raw)


def parse_sort(text: str) -> list[dict[str, Any]]:
    items = []
    for chunk in _split(text, ","):
        field, _, direction = chunk.strip().partition(":")
        if not field:
            raise ListSyntaxError("empty sort item")
        items.append({"field": field, "direction": direction or "asc"})
    return items


def parse_filters(text: str) -> list[dict[str, Any]]:
    items = []
    for chunk in _split(text, ","):
        parts = _split(chunk, ":", limit=2)
        if len(parts) < 2 or not parts[0].strip():
            raise ListSyntaxError(f"{chunk!r} is not field:value or field:operator:value")
        field = parts[0].strip()
        if len(parts) == 3 and parts[1] in _OPERATORS:
            operator, raw = FilterOperator(parts[1]), parts[2]
        else:
            operator, raw = FilterOperator.EQ, ":".join(parts[1:])
        value = _parse_value(raw)
        if isinstance(value, list) and operator is FilterOperator.EQ:
            operator = FilterOperator.IN
        items.append({"field": field, "operator": operator, "value": value})
    return items


class ListParamsBuilder:
    """Dependency parsing list query parameters into `params_class` (a ListParams subclass).

    `sort_class` and `filter_class` narrow the allowed fields, as in::

        list_params = ListParamsBuilder(UserListParams, UserSortParam, UserFilterParam)

        @router.get("")
        async def index(params: Annotated[UserListParams, Depends(list_params)]) -> ...
    """

    def __init__(
        self,
        params_class: type[ListParams] = ListParams,
        sort_class: type[SortParam] = SortParam,
        filter_class: type[FilterParam] = FilterParam,
    ) -> None:
        self.params_class = params_class
        self.sort_class = sort_class
        self.filter_class = filter_class

    # A coroutine: FastAPI runs a plain callable dependency in its thread pool, a thread hop on
    # every list request.
    async def __call__(
        self,
        page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")] = 1,
        per_page: Annotated[
            int, Query(ge=1, le=MAX_PER_PAGE, description=f"Items per page, at most {MAX_PER_PAGE}.")
        ] = DEFAULT_PER_PAGE,
        sort: Annotated[
            str | None,
            Query(max_length=_MAX_QUERY_LENGTH, description="`field[:asc|desc]`, comma-separated."),
        ] = None,
        filters: Annotated[
            str | None,
            Query(
                max_length=_MAX_QUERY_LENGTH,
                description="`field:value`, `field:[v1,v2]` or `field:operator:value`, comma-separated.",
            ),
        ] = None,
    ) -> ListParams:
        errors: list[dict[str, Any]] = []
        sort_items = self._parse("sort", sort, parse_sort, self.sort_class, errors)
        filter_items = self._parse("filters", filters, parse_filters, self.filter_class, errors)
        if errors:
            raise RequestValidationError(errors)
        return self.params_class(page=page, per_page=per_page, sort=sort_items, filters=filter_items)

    @staticmethod
    def _parse(
        name: str,
        text: str | None,
        parse: Any,
        item_class: type[SortParam] | type[FilterParam],
        errors: list[dict[str, Any]],
    ) -> list[Any] | None:
        if text is None or not text.strip():
            return None
        try:
            return [item_class.model_validate(item) for item in parse(text)]
        except ListSyntaxError as exc:
            errors.append({"loc": ("query", name), "msg": str(exc), "type": "list_syntax", "input": text})
        except ValidationError as exc:
            for error in exc.errors():
                errors.append({**error, "loc": ("query", name, *error["loc"])})
        return None
