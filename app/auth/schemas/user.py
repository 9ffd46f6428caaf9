"""Request and response shapes for users, and the DTO other modules receive."""

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, SecretStr

from app.auth.models import Role
from app.core.api import WHITESPACE, strip_whitespace
from app.core.db import FilterParam, ListParams, SortParam

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,49}$")


def _normalize_email(value: str) -> str:
    return value.strip().lower()


def _normalize_username(value: str) -> str:
    value = strip_whitespace(value).lower()
    if not USERNAME_PATTERN.fullmatch(value):
        raise ValueError("3-50 characters: letters, digits, '.', '_' or '-', starting with a letter or digit")
    return value


Email = Annotated[EmailStr, AfterValidator(_normalize_email)]
# An address only looked up (restore, resend): any well-formed address gets the same answer, so
# deliverability rules would only turn some lookups into errors.
LookupEmail = Annotated[
    str,
    Field(max_length=320, pattern=rf"^[^@{WHITESPACE}\x00]+@[^@{WHITESPACE}\x00]+$"),
    AfterValidator(_normalize_email),
]
# The pattern is the documented form; stored lower case.
Username = Annotated[
    str,
    Field(
        min_length=3,
        max_length=50,
        pattern=rf"^[{WHITESPACE}]*[A-Za-z0-9][A-Za-z0-9_.-]{{2,49}}[{WHITESPACE}]*$",
    ),
    AfterValidator(_normalize_username),
]
# The default bounds, documented; the service checks the configured ones (and never truncates).
Password = Annotated[SecretStr, Field(min_length=8, max_length=128)]


class StrictModel(BaseModel):
    """Unknown fields are errors: nobody can slip `role` or `is_active` into a request."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class UserCreate(StrictModel):
    email: Email
    username: Username
    password: Password


class UserUpdate(StrictModel):
    username: Username | None = None
    email: Email | None = None
    # Required to change the email address.
    current_password: Password | None = None


class PasswordChange(StrictModel):
    current_password: Password
    new_password: Password


class PasswordConfirmation(StrictModel):
    password: Password


class UserPublic(BaseModel):
    """What any signed-in user may see about another."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    created_at: datetime


class UserDetail(UserPublic):
    """The account owner's and administrators' view."""

    email: str
    role: Role
    is_active: bool
    email_verified: bool
    updated_at: datetime


class UserDTO(BaseModel):
    """A user as other modules see it (through AuthGateway): no credentials, never an ORM row."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: int
    username: str
    email: str
    role: Role
    is_active: bool
    # Whether `email` is proven to belong to the user: only such an address is written to unasked.
    email_verified: bool


UserField = Literal["id", "username", "email", "role", "is_active", "created_at"]
# What ordinary users may sort and filter on: no way to probe emails or roles through filters.
PUBLIC_USER_FIELDS = frozenset({"id", "username", "created_at"})


class UserSortParam(SortParam):
    field: UserField


class UserFilterParam(FilterParam):
    field: UserField


class UserListParams(ListParams):
    sort: list[UserSortParam] | None = None
    filters: list[UserFilterParam] | None = None
