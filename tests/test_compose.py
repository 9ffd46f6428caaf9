"""docker-compose.yaml cannot run here (no Docker engine), so its structure is checked instead."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from dotenv import dotenv_values

ROOT = Path(__file__).resolve().parent.parent
EXPECTED_SERVICES = {"postgres", "redis", "mailhog", "migrate", "app", "worker", "scheduler"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yaml").read_text())
    return document


@pytest.fixture(scope="module")
def sample_env() -> dict[str, str | None]:
    return dotenv_values(ROOT / ".sample.env")


def test_expected_services_exist(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) >= EXPECTED_SERVICES


def test_every_dependency_exists_with_a_valid_condition(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        for dependency, rule in (service.get("depends_on") or {}).items():
            assert dependency in services, f"{name} depends on unknown service {dependency}"
            assert rule["condition"] in {
                "service_healthy",
                "service_started",
                "service_completed_successfully",
            }
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no healthcheck"


def test_long_running_services_have_healthchecks(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if name != "migrate":
            assert "healthcheck" in service, f"{name} has no healthcheck"


def test_app_waits_for_migrations_and_does_not_run_them(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "migrate" in " ".join(services["migrate"]["command"])
    assert "migrate" not in " ".join(services["app"].get("command", []))


def test_published_ports_come_from_sample_env(
    compose: dict[str, Any], sample_env: dict[str, str | None]
) -> None:
    for name, service in compose["services"].items():
        for mapping in service.get("ports", []):
            variables = re.findall(r"\$\{(\w+)(?::-(\d+))?\}", mapping)
            assert variables, f"{name} publishes a port not configurable from .env: {mapping}"
            for variable, default in variables:
                assert variable in sample_env, f"{variable} is not documented in .sample.env"
                assert default == sample_env[variable], f"{variable} default differs from .sample.env"


def test_services_reach_each_other_by_service_name(compose: dict[str, Any]) -> None:
    environment = compose["x-app-environment"]
    assert "@postgres:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"].startswith("redis://redis:6379/")
    assert environment["MAIL_SMTP_HOST"] == "mailhog"
    for name in ("app", "migrate", "scheduler"):
        assert compose["services"][name]["environment"] == environment
    worker_environment = compose["services"]["worker"]["environment"]
    assert {key: worker_environment[key] for key in environment} == environment


def test_worker_and_scheduler_run_the_cli_commands(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["worker"]["command"][:4] == ["python", "-m", "app.cli", "worker"]
    assert services["scheduler"]["command"][:4] == ["python", "-m", "app.cli", "scheduler"]
    for name in ("worker", "scheduler"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_prometheus_scrapes_the_api_and_the_worker(compose: dict[str, Any]) -> None:
    services = compose["services"]
    mounted = services["prometheus"]["volumes"][0].split(":")[0]
    config = yaml.safe_load((ROOT / mounted).read_text())
    targets = {job["job_name"]: job["static_configs"][0]["targets"] for job in config["scrape_configs"]}
    assert targets["api"] == ["app:8000"]
    port = services["worker"]["environment"]["METRICS_WORKER_PORT"]
    assert targets["worker"] == [f"worker:{port}"]


def test_the_api_starts_with_the_serve_command(compose: dict[str, Any]) -> None:
    """The image (and so compose) and `make run` start the API the one documented way, never a bare
    uvicorn command with its trusting defaults (proxy headers from 127.0.0.1, no shutdown bound)."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    command = json.loads(re.findall(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)[-1])
    assert command[:4] == ["python", "-m", "app.cli", "serve"]
    assert "command" not in compose["services"]["app"]
    lines = (ROOT / "Procfile").read_text().splitlines()
    procfile = dict(line.split(": ", 1) for line in lines if not line.startswith("#"))
    assert procfile["api"].split() == [".venv/bin/python", "-m", "app.cli", "serve", "--reload"]
