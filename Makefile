# Two entry points: `make build` writes output/ from source/, `make test` runs every check.
# Each creates its own virtual environment on first use, so a fresh machine needs only Python 3.11+.
PYTHON ?= python3
BUILD_VENV := .venv/build
TEST_VENV := .venv/test

.PHONY: build test clean

build: $(BUILD_VENV)/.installed
	$(BUILD_VENV)/bin/prepexport build

test: $(TEST_VENV)/.installed
	$(TEST_VENV)/bin/ruff check src tests bench
	$(TEST_VENV)/bin/ruff format --check src tests bench
	$(TEST_VENV)/bin/mypy
	$(TEST_VENV)/bin/pytest

$(BUILD_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(BUILD_VENV)
	$(BUILD_VENV)/bin/pip install --quiet --upgrade pip
	$(BUILD_VENV)/bin/pip install --quiet -e .
	touch $@

$(TEST_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(TEST_VENV)
	$(TEST_VENV)/bin/pip install --quiet --upgrade pip
	$(TEST_VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf .venv output/*.apkg output/*.pdf
