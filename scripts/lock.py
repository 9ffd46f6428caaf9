"""Regenerate poetry.lock as a plain default-PyPI lock.

Run with the Poetry tool environment's Python (`make lock` does). Poetry resolves through the
simple index that pip is configured with (read at run time, never written to a committed file);
the temporary source is removed afterwards, together with the `[package.source]` tables it leaves
in the lock, and the lock's content-hash is recomputed so `poetry check --lock` passes.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import tomlkit

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "poetry.lock"
SOURCE_NAME = "lock-index"


def pip_index_url() -> str:
    url = os.environ.get("PIP_INDEX_URL")
    if url:
        return url.split()[0]
    configured = subprocess.run(
        [sys.executable, "-m", "pip", "config", "get", "global.index-url"],
        capture_output=True,
        text=True,
        check=False,
    )
    if configured.returncode == 0 and configured.stdout.strip():
        return configured.stdout.strip()
    from pip._internal.models.index import PyPI  # noqa: PLC0415 - pip's own default, no public API

    return str(PyPI.simple_url)


def poetry(*args: str) -> None:
    subprocess.run([str(Path(sys.executable).parent / "poetry"), *args], cwd=ROOT, check=True)


def strip_sources() -> None:
    lock = tomlkit.parse(LOCK.read_text())
    for package in lock["package"]:  # type: ignore[union-attr]
        package.pop("source", None)
    LOCK.write_text(tomlkit.dumps(lock))


def refresh_content_hash() -> None:
    from poetry.factory import Factory  # noqa: PLC0415 - only available in the Poetry tool venv

    content_hash = Factory().create_poetry(ROOT).locker._get_content_hash()
    lock = tomlkit.parse(LOCK.read_text())
    lock["metadata"]["content-hash"] = content_hash  # type: ignore[index]
    LOCK.write_text(tomlkit.dumps(lock))


def main() -> None:
    original = PYPROJECT.read_text()
    document = tomlkit.parse(original)
    source = tomlkit.table()
    source.update({"name": SOURCE_NAME, "url": pip_index_url(), "priority": "primary"})
    sources = tomlkit.aot()
    sources.append(source)
    document["tool"]["poetry"]["source"] = sources  # type: ignore[index]
    backup = PYPROJECT.with_suffix(".toml.lock-backup")
    shutil.copyfile(PYPROJECT, backup)
    try:
        PYPROJECT.write_text(tomlkit.dumps(document))
        poetry("lock", *sys.argv[1:])
    finally:
        shutil.move(backup, PYPROJECT)
    strip_sources()
    refresh_content_hash()
    poetry("check", "--lock")


if __name__ == "__main__":
    main()
