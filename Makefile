# Everything a fresh machine needs is installed by these targets: Poetry (in a project-local tool
# venv), the locked dependencies (exported with hashes, installed with pip into .venv), and wrk
# and a production-only virtualenv for the benchmarks.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools/poetry
POETRY := $(TOOLS)/bin/poetry
POETRY_VERSION := 2.5.1
POETRY_EXPORT_VERSION := 1.10.1
INSTALLED := $(VENV)/.installed
# The benchmarks' servers run from a virtualenv holding only the production dependencies, as the
# Docker image installs them: memory and import time are measured as deployed.
BENCH_VENV := var/bench/venv
BENCH_INSTALLED := $(BENCH_VENV)/.installed
# The TypeScript client's generator and compiler (package-lock.json), installed by `npm ci`.
NODE_INSTALLED := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# The tests start dozens of Python processes (workers, API servers, the CLI): compiled bytecode
# lets each one skip compiling app/ again (__pycache__ is ignored by git).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help install lock lint format test fuzz faults scale-test migrate run bench bench-profile wrk browser client clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(POETRY):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "poetry==$(POETRY_VERSION)" "poetry-plugin-export==$(POETRY_EXPORT_VERSION)"

# Poetry's own installer needs registry endpoints some mirrors lack, so install what the lock says
# with pip: same versions, hashes checked.
$(INSTALLED): poetry.lock pyproject.toml | $(POETRY)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(POETRY) export --with dev --format requirements.txt --output $(VENV)/requirements.txt
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(VENV)/requirements.txt
	$(BIN)/pip install --quiet --no-deps --editable .
	touch $@

install: $(INSTALLED)  ## Install the locked dependencies into .venv

# Node.js 20.19+ with npm must be on the machine (Debian 12's own package is too old for the
# generator); npm ci installs exactly what package-lock.json says, again only when it changed.
$(NODE_INSTALLED): package.json package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 20.19 or later, with npm, is needed" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

client: $(INSTALLED) $(NODE_INSTALLED)  ## Regenerate the TypeScript client (clients/typescript) from the API's schema
	$(BIN)/python -m app.cli openapi --output var/openapi.json
	node_modules/.bin/openapi-ts --file clients/typescript/openapi-ts.config.ts

lock: | $(POETRY)  ## Re-resolve dependencies into a plain poetry.lock
	$(TOOLS)/bin/python scripts/lock.py

lint: $(INSTALLED)  ## ruff, ruff format --check, mypy (strict), import-linter, commits and SQL
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_transactions.py

format: $(INSTALLED)  ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: $(INSTALLED)  ## Create the database if missing and apply migrations
	$(BIN)/python -m app.cli migrate

test: $(INSTALLED) $(NODE_INSTALLED) lint browser  ## Lint, then run the whole test suite against local PostgreSQL and Redis
	$(BIN)/pytest

# The suite runs the fuzzer with a fixed seed and a few examples per operation; this runs it long,
# with a new seed each time (printed, so a failure can be replayed with FUZZ_SEED=...).
FUZZ_EXAMPLES ?= 200
# Drawn once (`:=`): a recursive variable would draw a new seed at each use, and the one printed
# would not be the one run.
FUZZ_SEED := $(or $(FUZZ_SEED),$(shell od -An -N4 -tu4 /dev/urandom | tr -d ' '))
fuzz: $(INSTALLED)  ## Schemathesis over the whole API, long run (FUZZ_EXAMPLES, FUZZ_SEED)
	@echo "fuzz seed: $(FUZZ_SEED), $(FUZZ_EXAMPLES) examples per operation"
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_SEED=$(FUZZ_SEED) FUZZ_COVERAGE=1 $(BIN)/pytest tests/fuzz -p no:cacheprovider

faults: $(INSTALLED)  ## Fault injection: database, Redis, SMTP, worker SIGKILL/SIGTERM, API SIGTERM
	$(BIN)/pytest tests/faults tests/core/queue/test_worker_process.py -p no:cacheprovider

scale-test: $(INSTALLED)  ## Two API processes and two workers: shared rate limit, WebSocket, 1,000 tasks
	$(BIN)/pytest tests/scale -p no:cacheprovider

# The demo page's browser test uses Debian's Chromium (no browser download); it is skipped with a
# reason where the package cannot be installed.
browser:  ## Install headless Chromium for the browser test, if missing
	-@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) \
		|| echo "Chromium could not be installed: the browser test will be skipped"

# Email links lead to the API where it serves (unless PUBLIC_API_URL is set in the environment).
run: migrate  ## Install, migrate, then run the API (reload), a worker and the scheduler together
	API_HOST=$(HOST) API_PORT=$(PORT) PUBLIC_API_URL=$${PUBLIC_API_URL:-http://$(HOST):$(PORT)} \
		$(BIN)/honcho --procfile Procfile start

$(BENCH_INSTALLED): poetry.lock pyproject.toml | $(POETRY)
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(POETRY) export --only main --format requirements.txt --output $(BENCH_VENV)/requirements.txt
	$(BENCH_VENV)/bin/pip install --quiet --require-hashes --no-deps -r $(BENCH_VENV)/requirements.txt
	touch $@

wrk:
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)

bench: migrate $(BENCH_INSTALLED) wrk  ## Benchmarks (wrk, one uvicorn worker): each database route against its raw twin, targets met or missed
	BENCH_SERVER_PYTHON=$(BENCH_VENV)/bin/python $(BIN)/python -m bench

bench-profile: migrate $(BENCH_INSTALLED) wrk  ## Sampling profile of the authenticated GET next to its raw twin, under load
	BENCH_SERVER_PYTHON=$(BENCH_VENV)/bin/python $(BIN)/python -m bench.profile

clean:  ## Remove the virtualenvs and caches
	rm -rf $(VENV) .tools .mypy_cache .ruff_cache .pytest_cache node_modules
