"""The installed feature modules: the one list every composition root reads (like INSTALLED_APPS).

`app.main` mounts their routers, `alembic/env.py` collects their models, and the worker imports
their tasks, all from this list. Adding a module is one line here.
"""

INSTALLED_MODULES: tuple[str, ...] = ("app.auth", "app.chat")
