"""Every line the kit's processes print is one of the app's log lines, from startup to shutdown:
the worker's main process (taskiq's process manager) and its children, the scheduler, and the
API's uvicorn supervisor and server processes. With LOG_FORMAT=json each is a JSON object."""

import json
import sys
from typing import Any

import pytest

from app.core.config import AppConfig
from tests.processes import api_process, spawn, worker, worker_env

pytestmark = pytest.mark.slow

EXPECTED_KEYS = {"timestamp", "level", "event"}


def log_records(lines: list[str]) -> list[dict[str, Any]]:
    """Every line as a JSON log record; fails naming the lines that are not one."""
    records, strays = [], []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            strays.append(line)
            continue
        if isinstance(record, dict) and record.keys() >= EXPECTED_KEYS:
            records.append(record)
        else:
            strays.append(line)
    assert strays == [], "lines that are not JSON log records:\n" + "\n".join(strays)
    return records


def events(records: list[dict[str, Any]]) -> list[str]:
    return [str(record["event"]) for record in records]


def test_a_worker_prints_only_json_log_lines(app_config: AppConfig) -> None:
    with worker(worker_env(app_config)) as process:
        pass
    found = events(log_records(process.lines))
    # taskiq's main process, then the worker process (app and taskiq lines), then the shutdown.
    assert "Starting 1 worker processes." in found
    assert "worker startup" in found
    assert "worker shutdown" in found


def test_the_scheduler_prints_only_json_log_lines(app_config: AppConfig) -> None:
    process = spawn([sys.executable, "-m", "app.cli", "scheduler"], worker_env(app_config))
    try:
        process.wait_for_line("scheduler startup")
    finally:
        process.stop()
    assert "scheduler startup" in events(log_records(process.lines))


def test_the_api_supervisor_and_its_servers_print_only_json_log_lines() -> None:
    # Two server processes: uvicorn's supervisor logs from a process the app never configures.
    with api_process({"WEB_CONCURRENCY": "2", "LOG_FORMAT": "json"}) as (_, process):
        process.wait_for_line("Application startup complete.")
    found = events(log_records(process.lines))
    assert any(event.startswith("Started parent process") for event in found)
    assert any(event.startswith("Uvicorn running on") for event in found)
    assert "startup" in found
    assert any(event.startswith("Stopping parent process") for event in found)
