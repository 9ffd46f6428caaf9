"""The twin's worker target: `python -m app.cli worker --broker bench.queue_twin_worker:broker`,
configured from the environment (QUEUE_NAME) as the kit's worker is."""

from app.core.config import get_app_config
from bench.queue_twin import create_twin_broker

broker = create_twin_broker(get_app_config()).broker
