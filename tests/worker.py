"""The test suite's worker: the installed modules and the example module, built as app.worker
builds the deployed one (`python -m app.cli worker --broker tests.worker:broker`)."""

from app.core.config import get_app_config
from app.core.worker import create_worker
from app.modules import INSTALLED_MODULES
from tests import example

broker = create_worker(get_app_config(), (*INSTALLED_MODULES, example.__name__)).broker
