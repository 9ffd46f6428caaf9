"""The kit without the chat module: the app builds, and nothing of chat is loaded."""

import subprocess
import sys

from tests.processes import ROOT

PROBE = """
import sys
from fastapi.routing import iter_route_contexts
from app.main import create_app
app = create_app(modules=("app.auth",))
paths = {route.path for route in iter_route_contexts(app.routes)}
assert "/api/v1/auth/login" in paths, paths
assert not any(path.startswith("/api/v1/chat") for path in paths), paths
chat_modules = [name for name in sys.modules if name == "app.chat" or name.startswith("app.chat.")]
assert not chat_modules, chat_modules
print("ok")
"""


def test_app_builds_without_the_chat_module() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok")
