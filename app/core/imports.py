"""Importing a library without the optional extras it would load on import.

Some libraries probe at import time for optional packages that happen to be installed as other
libraries' dependencies, and import them whole even when the probing code is never used: structlog
loads rich (a dependency of typer, for the CLI) for its console tracebacks; PyJWT loads
cryptography's asymmetric algorithms although the kit signs tokens with a shared secret. A process
then pays their import time and memory for nothing. `import_without` imports such a library as if
the extras were absent; they stay importable afterwards, for the code that does use them.
"""

import importlib
import sys
from collections.abc import Iterable
from types import ModuleType


def import_without(name: str, hidden: Iterable[str]) -> ModuleType:
    """Import the module `name` while the modules `hidden` cannot be imported (`None` in
    sys.modules: an `import` of them, or of anything under them, raises ModuleNotFoundError, which
    the library's optional import catches). A hidden module loaded already is left as it is, and so
    is `name` if it is loaded already: then nothing changes.

    Call it at import time (module level), before anything else imports `name`: sys.modules is
    shared, and an import of a hidden module in another thread meanwhile would fail."""
    if name in sys.modules:
        return sys.modules[name]
    blocked = [module for module in hidden if module not in sys.modules]
    for module in blocked:
        sys.modules[module] = None  # type: ignore[assignment]  # the documented way to block an import
    try:
        return importlib.import_module(name)
    finally:
        for module in blocked:
            if sys.modules.get(module, ModuleType(module)) is None:
                del sys.modules[module]
