# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app voting
PORT ?= 5000

.PHONY: run setup install translations test lint format reset bench

run: setup ## set everything up and serve the demo on http://127.0.0.1:$(PORT)
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

setup: install instance/config.py
	$(FLASK) db upgrade
	$(FLASK) demo

install: $(VENV)/.installed translations

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d translations --statistics 2>&1 | tail -n +1

instance/config.py: | $(VENV)/.installed
	$(BIN)/python -m voting.instance instance

test: install ## lint, then the whole suite (PostgreSQL too where TEST_DATABASE_URL is set)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install ## extract new strings into the catalogues
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --sort-output --omit-header -o translations/messages.pot .
	$(BIN)/pybabel update -N --no-wrap -i translations/messages.pot -d translations

bench: install ## print the benchmark figures (BENCH_DATABASE_URL=postgresql+psycopg://… for PostgreSQL)
	$(BIN)/python -m bench.casting --database-url "$(BENCH_DATABASE_URL)"
	$(BIN)/python -m bench.tally_memory --database-url "$(BENCH_DATABASE_URL)"
	$(BIN)/python -m bench.charts
	@# The counting methods and the verifier bring benchmarks of their own.
	@for extra in counting verifier; do \
		if [ -f bench/$$extra.py ]; then $(BIN)/python -m bench.$$extra || exit 1; fi; \
	done

reset: ## forget the local demo database, codes and keys
	rm -rf instance
