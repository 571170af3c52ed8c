# One-command set-up for a fresh Debian machine with Python 3.11 (run as root or with sudo for
# the apt step).  `make demo` serves the workbench; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
RALPH_PORT ?= 8100
RALPH_DIR := var/ralph
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: fuzz bench ralph-venv docs demo test lint unit runtime browser translations chromium wheel-test clean constraints help

help:
	@echo "make demo   - install everything into .venv and serve the workbench on http://$(HOST):$(PORT)"
	@echo "make test   - install test dependencies (incl. Debian's chromium) and run the whole suite"
	@echo "make bench  - benchmarks against xblock-poll, SQLite FTS5 and plain requests (~2-4 min)"
	@echo "make fuzz   - handler fuzzing with 20,000 payloads per handler"
	@echo "make docs   - build the Sphinx documentation into docs/_build/html"

$(STAMP): setup.cfg pyproject.toml requirements/constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24"
	$(BIN)/python -m pip install -q -c requirements/constraints.txt -e ".[test,reports]"
	@touch $@

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

ralph-venv: $(STAMP)
	$(BIN)/python scripts/ralph_lrs.py ensure-venv --python $(PYTHON)

# The demo starts a real Ralph LRS on loopback and sends the blocks' xAPI statements to it.
demo: $(STAMP) ralph-venv
	@mkdir -p var
	$(BIN)/python scripts/ralph_lrs.py start --host 127.0.0.1 --port $(RALPH_PORT) --dir $(RALPH_DIR)
	@echo "Serving the demo on http://$(HOST):$(PORT)/  (add ?lang=da for Danish, ?student=staff for staff views)"
	trap '$(BIN)/python scripts/ralph_lrs.py stop --dir $(RALPH_DIR)' EXIT; $(BIN)/python -m demo $(HOST):$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check competency_xblock tests demo scripts bench

translations: $(STAMP)
	$(BIN)/python scripts/compile_translations.py

docs: $(STAMP)
	$(BIN)/python -m sphinx -W -q -b html docs docs/_build/html

test: $(STAMP) chromium ralph-venv lint docs
	$(BIN)/python scripts/compile_translations.py --check
	$(BIN)/python -m pytest -n 2 --timeout 600 $(PYTEST_ARGS)

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q

# Handler fuzzing with more generated payloads than `make test` (2,000 per handler there).
FUZZ_EXAMPLES ?= 20000
fuzz: $(STAMP)
	CX_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/security -q -k fuzz -n 2 --timeout 3600

constraints: $(STAMP)
	{ echo "# Pinned versions for the dev/test venv (Python 3.11). Regenerate: make constraints"; \
	  $(BIN)/pip freeze --exclude-editable | grep -v competency; } > requirements/constraints.txt

# Benchmarks against peers measured in the same run (see bench/README.md); ~2-4 minutes.
BENCH_VENV := .venv-bench
BENCH_ARGS ?=
bench: $(STAMP)
	PYTHON=$(PYTHON) scripts/bench_env.sh $(BENCH_VENV)
	$(BIN)/python scripts/ralph_lrs.py ensure-venv --python $(PYTHON)
	$(BENCH_VENV)/bin/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(BENCH_VENV) .venv-ralph var build dist *.egg-info test-artifacts
