from sqlalchemy import MetaData, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import NAMING_CONVENTION, BaseModel, SoftDeleteMixin


class ExampleBase(BaseModel):
    """Own MetaData: these tables are created by the test session, not by the app's migrations
    (so the no-drift test compares only shipped models)."""

    __abstract__ = True
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Widget(SoftDeleteMixin, ExampleBase):
    __tablename__ = "example_widget"
    # Deferred so a duplicate surfaces at COMMIT, which lets a test prove a failed commit is
    # reported as an error response.
    __table_args__ = (UniqueConstraint("name", deferrable=True, initially="DEFERRED"),)

    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str | None] = mapped_column(String(50))
    price: Mapped[int] = mapped_column(default=0)
