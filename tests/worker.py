"""The test suite's worker: the installed modules and the example module, built as app.worker
builds the deployed one (`taskiq worker tests.worker:broker`)."""

from app.core.config import get_app_config
from app.modules import INSTALLED_MODULES
from app.worker import create_worker
from tests import example

broker = create_worker(get_app_config(), (*INSTALLED_MODULES, example.__name__)).broker
