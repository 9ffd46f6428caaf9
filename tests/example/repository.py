from app.core.db import BaseRepository
from tests.example.models import Widget


class WidgetRepository(BaseRepository[Widget]):
    model = Widget
