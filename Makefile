# One-word tasks. Each creates .venv when it is missing and installs what it needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo serve test lint format bench check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)  ## load the bundled example organisation into a fresh SQLite database and serve it
	$(BIN)/productize demo

serve: $(STAMP)  ## apply migrations and serve the catalog on 127.0.0.1:8000
	$(BIN)/productize serve

lint: $(STAMP)  ## ruff (lint + format check), mypy, migrations check
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	mkdir -p $(VENV)/lint-data
	PRODUCTIZE_DATA_DIR=$(VENV)/lint-data $(BIN)/python -m django makemigrations --check --dry-run --settings=productize.settings

format: $(STAMP)
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

test: lint  ## lint, type-check, then the whole test suite
	$(BIN)/pytest -n 2 --dist loadfile

check: $(STAMP)  ## run `productize check` on the bundled example organisation
	$(BIN)/productize check src/productize/demo/org

bench: $(STAMP)  ## run the benchmarks in bench/ (slow; writes figures to the terminal)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
