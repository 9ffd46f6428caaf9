"""What a process loads at startup: the libraries only some routes, processes or settings use are
imported when first used, not with the app (import time and memory of every API process). Each
check runs in a fresh interpreter: this test process has imported everything already.

A failure names a module that came back: find what imports it (`python -X importtime -c 'import
app.main'`) and defer that import, or explain here why every process needs it.
"""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.auth.config import AuthConfig
from app.core.log import logger
from tests.logs import capture_logs

ROOT = Path(__file__).resolve().parent.parent
# Loaded on first use only: console tracebacks; JWT's asymmetric algorithms (the kit's tokens are
# HMAC) and the two-factor secrets' cipher; email and page templates; SMTP; the rate limiter's
# library; the metrics library; taskiq and the aiohttp it imports (only the worker runs tasks:
# other processes publish without them, app.core.queue.stream_publisher).
DEFERRED = [
    "rich",
    "cryptography.hazmat",
    "jinja2",
    "aiosmtplib",
    "pyrate_limiter",
    "prometheus_client",
    "taskiq",
    "aiohttp",
]


def loaded(code: str) -> list[str]:
    """The DEFERRED modules in sys.modules after `code` ran in a fresh interpreter."""
    report = f"import json, sys\nprint(json.dumps([m for m in {DEFERRED!r} if m in sys.modules]))"
    probe = f"{textwrap.dedent(code)}\n{report}"
    completed = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    result: list[str] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def test_importing_the_api_loads_none_of_the_deferred_libraries() -> None:
    assert loaded("import app.main") == []


def test_building_the_api_loads_only_the_libraries_its_settings_turn_on() -> None:
    build = """
        from app.core.config import AppConfig
        from app.main import create_app
        create_app(AppConfig(METRICS_ENABLED={metrics}, RATE_LIMITER_ENABLED=True, LOG_LEVEL="WARNING"))
    """
    assert loaded(build.format(metrics=False)) == []
    assert loaded(build.format(metrics=True)) == ["prometheus_client"]


def test_the_started_api_publishes_without_taskiq() -> None:
    publish = """
        import asyncio, uuid
        from redis.asyncio import Redis
        from app.core.config import AppConfig
        from app.main import create_app

        async def main():
            stream = f"imports-{uuid.uuid4().hex[:8]}"
            config = AppConfig(QUEUE_BROKER="redis", QUEUE_NAME=stream, LOG_LEVEL="WARNING")
            app = create_app(config)
            async with app.router.lifespan_context(app) as state:
                await state["resources"].publisher.sender.send("outbox.relay", "outbox-1", {"outbox_id": 1})
            redis = Redis.from_url(config.queue_redis_url)
            assert await redis.xlen(stream) == 1
            await redis.delete(stream)
            await redis.aclose()

        asyncio.run(main())
    """
    libraries = loaded(publish)
    assert "taskiq" not in libraries
    assert "aiohttp" not in libraries


def test_a_secret_box_loads_its_cipher_when_it_first_encrypts() -> None:
    box = """
        from app.auth.services.secret_box import SecretBox
        box = SecretBox(["a key of the test, long enough for anything"])
    """
    assert loaded(box) == []
    opened = textwrap.dedent(box) + 'assert box.decrypt(box.encrypt("secret")).plaintext == "secret"\n'
    assert "cryptography.hazmat" in loaded(opened)


def test_jwt_is_loaded_without_asymmetric_algorithms_and_cryptography_stays_importable() -> None:
    code = """
        import app.auth, jwt
        assert not jwt.algorithms.has_crypto
        assert "HS256" in jwt.algorithms.get_default_algorithms()
        import cryptography.fernet
    """
    assert "cryptography.hazmat" in loaded(code)


def test_only_hmac_algorithms_are_accepted_for_access_tokens() -> None:
    with pytest.raises(ValidationError, match="JWT_ALGORITHM"):
        AuthConfig(JWT_ALGORITHM="RS256")  # type: ignore[arg-type]  # the refused value is the test
    assert AuthConfig(JWT_ALGORITHM="HS512").JWT_ALGORITHM == "HS512"


def test_the_console_format_draws_tracebacks_with_rich() -> None:
    with capture_logs("console") as stream:
        try:
            raise ValueError("the error of the test")
        except ValueError:
            logger.exception("failed")
    rendered = stream.getvalue()
    # rich's frame around the traceback, and the exception it names.
    assert "Traceback" in rendered
    assert "╭" in rendered
    assert "the error of the test" in rendered
