# syntax=docker/dockerfile:1
# Multi-stage build: dependencies are exported from poetry.lock and installed with hashes checked;
# the final image holds only the runtime dependencies and the sources, and runs as a non-root user.
# Migrations are not run here: compose runs them once in the `migrate` service.

ARG PYTHON_VERSION=3.12

FROM python:${PYTHON_VERSION}-slim AS requirements
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install "poetry==2.5.1" "poetry-plugin-export==1.10.1"
WORKDIR /src
COPY pyproject.toml poetry.lock ./
RUN poetry export --only main --format requirements.txt --output requirements.txt

FROM python:${PYTHON_VERSION}-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY --from=requirements /src/requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r /tmp/requirements.txt

FROM python:${PYTHON_VERSION}-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ENVIRONMENT=production
RUN groupadd --system app && useradd --system --gid app --home-dir /app --no-create-home app
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --chown=app:app alembic.ini ./
COPY --chown=app:app alembic ./alembic
COPY --chown=app:app app ./app
USER app
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=2)"]
# uvicorn with the kit's settings (python -m app.cli serve --help): proxy headers only from
# TRUSTED_PROXIES, bounded WebSocket messages and shutdown. WEB_CONCURRENCY sets the number of
# worker processes.
CMD ["python", "-m", "app.cli", "serve", "--host", "0.0.0.0", "--port", "8000"]
