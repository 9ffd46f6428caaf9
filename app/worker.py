"""Worker composition root (taskiq): the deployed worker and scheduler, of app.modules.

    python -m app.cli worker       # runs tasks (taskiq worker app.worker:broker)
    python -m app.cli scheduler    # kicks periodic tasks (taskiq scheduler app.worker:scheduler)

Built with `create_worker` (app.core.worker), as the API is with `create_app`: the same modules,
so every task the API can queue is known here. Module settings are read when the worker starts.
"""

from app.core.config import get_app_config
from app.core.worker import create_worker
from app.modules import INSTALLED_MODULES

_worker = create_worker(get_app_config(), INSTALLED_MODULES)
broker = _worker.broker
scheduler = _worker.scheduler
