"""The list query syntax end to end: good parameters filter and sort; every malformed one is a 422."""

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.api.list_params import ListSyntaxError, parse_filters
from tests.factories import WidgetFactory

WIDGETS = "/api/v1/widgets"


@pytest.fixture
async def widgets(db_session: AsyncSession) -> None:
    for name, category, price in [
        ("anvil", "tools", 300),
        ("Hammer", "tools", 25),
        ("kite", "toys", 15),
        ("yo-yo, deluxe", "toys", 5),
        ("mystery", None, 50),
    ]:
        await WidgetFactory.create_async(name=name, category=category, price=price)


async def names(client: httpx.AsyncClient, **params: str) -> list[str]:
    response = await client.get(WIDGETS, params=params)
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


@pytest.mark.usefixtures("widgets")
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sort": "price:desc"}, ["anvil", "mystery", "Hammer", "kite", "yo-yo, deluxe"]),
        ({"sort": "name:desc", "filters": "category:toys"}, ["yo-yo, deluxe", "kite"]),
        ({"filters": "category:toys", "sort": "name"}, ["kite", "yo-yo, deluxe"]),
        ({"filters": "category:eq:toys", "sort": "name"}, ["kite", "yo-yo, deluxe"]),
        ({"filters": "category:ne:toys", "sort": "price"}, ["Hammer", "anvil"]),
        ({"filters": "price:[5,15]", "sort": "price"}, ["yo-yo, deluxe", "kite"]),
        ({"filters": "price:nin:[5,15,50]", "sort": "price"}, ["Hammer", "anvil"]),
        ({"filters": "name:like:%a%", "sort": "price"}, ["Hammer", "anvil"]),
        ({"filters": "name:ilike:h%"}, ["Hammer"]),
        ({"filters": "price:gt:25", "sort": "price"}, ["mystery", "anvil"]),
        ({"filters": "price:gte:25", "sort": "price"}, ["Hammer", "mystery", "anvil"]),
        ({"filters": "price:lt:15"}, ["yo-yo, deluxe"]),
        ({"filters": "price:lte:15", "sort": "price:desc"}, ["kite", "yo-yo, deluxe"]),
        ({"filters": "category:isnull:true"}, ["mystery"]),
        ({"filters": "category:isnull:false,price:gte:25", "sort": "price"}, ["Hammer", "anvil"]),
        ({"filters": r"name:yo-yo\, deluxe"}, ["yo-yo, deluxe"]),
        ({"filters": "category:toys,price:gt:10"}, ["kite"]),
    ],
)
async def test_filters_and_sorting(
    client: httpx.AsyncClient, params: dict[str, str], expected: list[str]
) -> None:
    assert await names(client, **params) == expected


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ({"sort": "secret_column"}, "sort"),  # unknown sort field
        ({"sort": "price:sideways"}, "sort"),  # bad direction
        ({"sort": "price,price:desc"}, "sort"),  # sorted twice
        ({"filters": "secret_column:1"}, "filters"),  # unknown filter field
        ({"filters": "price:between:1"}, "filters"),  # unknown operator is a value of eq -> bad int
        ({"filters": "price:abc"}, "filters"),  # bad value for the column type
        ({"filters": "price:[1,2"}, "filters"),  # unbalanced brackets
        ({"filters": "price:1,2]"}, "filters"),  # unbalanced brackets the other way
        ({"filters": "price:[[1]]"}, "filters"),  # nested brackets
        ({"filters": "price:[]"}, "filters"),  # empty list
        ({"filters": "price"}, "filters"),  # no value
        ({"filters": "price:gt:[1,2]"}, "filters"),  # list for a single-value operator
        ({"filters": "price:like:1%"}, "filters"),  # like on a number
        ({"filters": "price:99999999999999999999999"}, "filters"),  # out of range for the column
        ({"filters": "created_at:gt:yesterday"}, "filters"),  # bad datetime
        ({"filters": "category:isnull:maybe"}, "filters"),  # bad boolean
        ({"filters": "name:a\x00b"}, "filters"),  # NUL byte
        ({"filters": "name:bad\\escape"}, "filters"),  # dangling escape
        ({"filters": "name:a]b"}, "filters"),  # stray bracket inside a value
        ({"page": "0"}, "page"),
        ({"page": "not-a-number"}, "page"),
        ({"page": "10000000000000000000000"}, "page"),
        ({"per_page": "101"}, "per_page"),  # page size is capped
        ({"per_page": "-1"}, "per_page"),
        ({"sort": "x" * 3000}, "sort"),  # absurdly long parameter
    ],
)
async def test_malformed_list_params_are_422(
    client: httpx.AsyncClient, params: dict[str, str], location: str
) -> None:
    response = await client.get(WIDGETS, params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert any(error["loc"][:2] == ["query", location] for error in errors), errors


def test_filter_syntax_parses_operators_lists_and_escapes() -> None:
    assert parse_filters(r"id:[1,2],name:ilike:a\:b%,created_at:2024-01-01T10:00:00Z") == [
        {"field": "id", "operator": "in", "value": ["1", "2"]},
        {"field": "name", "operator": "ilike", "value": "a:b%"},
        {"field": "created_at", "operator": "eq", "value": "2024-01-01T10:00:00Z"},
    ]
    with pytest.raises(ListSyntaxError):
        parse_filters("id:[1,2")
