# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app voting.app
PORT ?= 5000

CHROMIUM ?= /usr/bin/chromium
# The browser tests need Debian's Chromium; install it only where it is missing.
BROWSER := $(if $(wildcard $(CHROMIUM)),,chromium)
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: run setup install translations test lint format reset chromium bench

# The job worker (imports, letters, counting) runs beside the server and stops with it:
# Ctrl-C lets a running job finish first; one left unfinished resumes at the next start.
run: setup ## set everything up and serve the demo on http://127.0.0.1:$(PORT), with the job worker
	$(FLASK) jobs worker & worker=$$!; \
	trap 'kill -INT $$worker 2>/dev/null; wait $$worker; trap - EXIT; exit' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

setup: install instance/config.py
	$(FLASK) db upgrade
	$(FLASK) demo

install: $(VENV)/.installed translations

# The standalone verifier (verifier/) is a distribution of its own; the tests and bench run it.
$(VENV)/.installed: pyproject.toml verifier/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,reference]'
	$(BIN)/python -m pip install --quiet -e ./verifier
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d translations --statistics 2>&1 | tail -n +1

instance/config.py: | $(VENV)/.installed
	$(BIN)/python -m voting.core.instance instance

test: lint $(BROWSER) ## lint, then the whole suite (PostgreSQL too where TEST_DATABASE_URL is set)
	$(BIN)/python -m pytest

lint: install ## ruff, import-linter's floor plan (docs/architecture.md) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install ## extract new strings into the catalogues
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --sort-output --omit-header -o translations/messages.pot .
	$(BIN)/pybabel update -N --no-wrap -i translations/messages.pot -d translations

chromium: ## install Debian's Chromium for the browser tests (tests/e2e skip without it)
	$(SUDO) apt-get update -q || true
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium \
	  || echo "Chromium could not be installed: the browser tests will be skipped."

bench: install ## print the benchmark figures (BENCH_DATABASE_URL=postgresql+psycopg://… for PostgreSQL)
	$(BIN)/python -m bench.casting --database-url "$(BENCH_DATABASE_URL)"
	$(BIN)/python -m bench.tally_memory --database-url "$(BENCH_DATABASE_URL)"
	$(BIN)/python -m bench.charts
	$(BIN)/python -m bench.counting
	$(BIN)/python -m bench.verifier
	$(BIN)/python -m bench.checks --database-url "$(BENCH_DATABASE_URL)"

reset: ## forget the local demo database, codes and keys
	rm -rf instance
