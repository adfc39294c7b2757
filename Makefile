# desk-tui — two commands: `make run` (set up, open the app on the demo server) and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

# pytest compiles every test module and rewrites the asserts of its plugins' packages (hypothesis,
# schemathesis: some 280 modules), and every `desk-tui` child compiles src/: with
# PYTHONDONTWRITEBYTECODE set (as some shells and containers do) none of it is cached, so each
# worker and child did it all again (≈ 9 s of CPU per worker's collection; docs/testing.md).
KEEP_BYTECODE := PYTHONDONTWRITEBYTECODE=

.PHONY: setup run serve test test-fast bench bench-api bench-api-large bench-api-cpu bench-api-floor bench-api-turns lint openapi clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "desk-tui needs Python 3.11 or newer"'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[server,dev]'
	@rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)

run: setup
	$(VENV)/bin/desk-tui

serve: setup
	$(VENV)/bin/desk-tui serve --demo

lint: setup
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: setup
	@bash scripts/system-deps
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(KEEP_BYTECODE) $(PY) -m pytest -n 2 --dist loadgroup -q

test-fast: setup
	$(KEEP_BYTECODE) $(PY) -m pytest -q -m "not postgres and not ssh" -x

bench: setup
	$(PY) -m tests.benchmarks

# The API under a front-desk mix on a chain-sized PostgreSQL data set (tests/benchmarks/api_load.py).
bench-api: setup
	@bash scripts/system-deps
	$(PY) -m tests.benchmarks.api_load

# The same, then 1,000,000 customers: name search with one client and the liability report (minutes more).
bench-api-large: setup
	@bash scripts/system-deps
	BENCH_LARGE=1 $(PY) -m tests.benchmarks.api_load

# The layers under the server alone (plain ASGI and psycopg … FastAPI and the ORM) under the mix's load (tests/benchmarks/api_floor.py).
bench-api-floor: setup
	@bash scripts/system-deps
	$(PY) -m tests.benchmarks.api_floor

# The server's CPU time per request, per endpoint of the mix (tests/benchmarks/api_cpu.py; ARGS: --against DIR, --profile NAME).
bench-api-cpu: setup
	@bash scripts/system-deps
	$(PY) -m tests.benchmarks.api_cpu $(ARGS)

# The mix's capacity of this checkout against others, in turns on one data set (tests/benchmarks/api_turns.py; ARGS: --against DIR).
bench-api-turns: setup
	@bash scripts/system-deps
	$(PY) -m tests.benchmarks.api_turns $(ARGS)

# docs/openapi.json: the API's schema as the code generates it (tests/test_openapi_document.py checks it).
openapi: setup
	$(PY) scripts/openapi.py

clean:
	rm -rf $(VENV) .pytest_cache build src/*.egg-info
