"""The benchmark's worker: the installed modules and the benchmark's own tasks (bench/tasks.py),
built as app.worker builds the deployed one (`python -m app.cli worker --broker bench.worker:broker`)."""

import bench
from app.core.config import get_app_config
from app.core.worker import create_worker
from app.modules import INSTALLED_MODULES

broker = create_worker(get_app_config(), (*INSTALLED_MODULES, bench.__name__)).broker
