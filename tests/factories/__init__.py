from tests.factories.async_alchemy_factory import AsyncSQLAlchemyModelFactory, bind_factories
from tests.factories.auth import PASSWORD, UserFactory
from tests.factories.example import WidgetFactory

__all__ = ["PASSWORD", "AsyncSQLAlchemyModelFactory", "UserFactory", "WidgetFactory", "bind_factories"]
