import factory

from tests.example import Widget
from tests.factories.async_alchemy_factory import AsyncSQLAlchemyModelFactory


class WidgetFactory(AsyncSQLAlchemyModelFactory[Widget]):
    class Meta:
        model = Widget

    name = factory.Sequence(lambda n: f"widget-{n}")
    category = factory.Faker("random_element", elements=["tools", "toys", None])
    price = factory.Faker("pyint", min_value=0, max_value=1000)
