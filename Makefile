# Two commands for a fresh machine:  make run  (set up and start the app)
#                                     make test (set up and pass every test, browser included)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test unit e2e js lint chromium clean

run: $(VENV)/.installed-run
	$(BIN)/gatescope serve --host $(HOST) --port $(PORT)

AXE := tests/e2e/.axe/node_modules/axe-core/axe.min.js

test: $(VENV)/.installed-test chromium $(AXE) js
	$(BIN)/python -m pytest

unit: $(VENV)/.installed-test js    ## everything but the browser tests
	$(BIN)/python -m pytest -m "not e2e"

# The page's pure modules (state, store, lessons, host) under Node's own test runner, built
# from the UI contract the server writes (app/ui.py).
js: $(VENV)/.installed-test
	@command -v node >/dev/null 2>&1 || { echo "The JavaScript unit tests need Node.js 18 or later: sudo apt-get install nodejs"; exit 1; }
	$(BIN)/python -m app.ui > $(VENV)/ui-contract.json
	GATESCOPE_UI_CONTRACT=$(VENV)/ui-contract.json node --test tests/js/*.test.mjs

lint: $(VENV)/.installed-test        ## ruff: lint, and the format check
	$(BIN)/ruff check app tests benchmarks
	$(BIN)/ruff format --check app tests benchmarks

e2e: $(VENV)/.installed-test chromium $(AXE)
	$(BIN)/python -m pytest tests/e2e

# axe-core, the accessibility checker the browser tests inject into the page (npm, test only).
$(AXE):
	@command -v npm >/dev/null 2>&1 || { echo "The accessibility test needs npm (Node.js): sudo apt-get install npm"; exit 1; }
	npm install --silent --no-audit --no-fund --prefix tests/e2e/.axe axe-core@4.14.1

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The test extra brings pytest and Playwright's Python driver; torch is the reference for the math tests.
$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[test,torch]'
	touch $@ $(VENV)/.installed-run

# Headless Chromium from Debian (Playwright's own browser download cannot work offline).
chromium:
	@if [ -n "$$GATESCOPE_CHROMIUM" ] || command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "The browser tests need Chromium: run 'sudo apt-get install chromium', or set GATESCOPE_CHROMIUM=/path/to/chromium."; \
		exit 1; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache tests/e2e/screenshots tests/e2e/.axe
