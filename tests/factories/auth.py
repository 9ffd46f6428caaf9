from datetime import UTC

import factory
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.auth.config import AuthConfig
from app.auth.models import Role, User
from tests.factories.async_alchemy_factory import AsyncSQLAlchemyModelFactory

PASSWORD = "Correct-Horse-7-Battery"


def _hasher() -> PasswordHash:
    config = AuthConfig()
    return PasswordHash(
        (
            Argon2Hasher(
                time_cost=config.ARGON2_TIME_COST,
                memory_cost=config.ARGON2_MEMORY_COST,
                parallelism=config.ARGON2_PARALLELISM,
            ),
        )
    )


def password_hash(password: str = PASSWORD) -> str:
    """A hash of `password` with the configured (in tests: cheap) argon2 parameters."""
    return _hasher().hash(password)


class UserFactory(AsyncSQLAlchemyModelFactory[User]):
    """Users whose password is PASSWORD (or `password=...`), verified and active by default."""

    class Meta:
        model = User
        exclude = ("password",)

    password = PASSWORD
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password_hash = factory.LazyAttribute(lambda user: password_hash(user.password))
    role = Role.USER.value
    is_active = True
    email_verified_at = factory.Faker("date_time_this_year", tzinfo=UTC)
