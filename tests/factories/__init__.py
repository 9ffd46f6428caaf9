from tests.factories.async_alchemy_factory import AsyncSQLAlchemyModelFactory, bind_factories
from tests.factories.example import WidgetFactory

__all__ = ["AsyncSQLAlchemyModelFactory", "WidgetFactory", "bind_factories"]
