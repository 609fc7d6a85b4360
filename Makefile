# Two commands for a fresh machine:  make run  (set up and start the app)
#                                     make test (set up and pass every test, browser included)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test unit e2e js js-syntax node lint lock wheel chromium nginx docker-smoke clean

run: $(VENV)/.installed-run
	$(BIN)/gatescope serve --host $(HOST) --port $(PORT)

AXE := tests/e2e/.axe/node_modules/axe-core/axe.min.js

# The wheel test builds the wheel and serves from it in a clean venv; the proxy tests run
# Debian's nginx in front (TLS, a path prefix, two server processes).
test: $(VENV)/.installed-test chromium nginx $(AXE) js
	$(BIN)/python -m pytest

unit: $(VENV)/.installed-test nginx js ## everything but the browser tests
	$(BIN)/python -m pytest -m "not e2e"

# The page's pure modules (state, store, lessons, host) under Node's own test runner, built
# from the UI contract the server writes (app/ui.py).
js: $(VENV)/.installed-test node
	$(BIN)/python -m app.ui > $(VENV)/ui-contract.json
	GATESCOPE_UI_CONTRACT=$(VENV)/ui-contract.json node --test tests/js/*.test.mjs

# Every module of the page, and of its tests, parsed as an ES module (from stdin, so the
# parse does not depend on a package.json): a syntax error in a module no test imports
# fails here, not in a student's browser. JS_DIRS: where to look.
JS_DIRS ?= static/js tests/js
js-syntax: node
	@failed=0; for module in $$(find $(JS_DIRS) -name '*.js' -o -name '*.mjs' | sort); do \
		error=$$(node --input-type=module --check < "$$module" 2>&1) || { \
			echo "$$error" | sed -n "s|^\[stdin\]|$$module|p; 2,3p; /^SyntaxError/p"; failed=1; }; \
	done; exit $$failed

node:
	@command -v node >/dev/null 2>&1 || { echo "The JavaScript checks need Node.js 18 or later: sudo apt-get install nodejs"; exit 1; }

lint: $(VENV)/.installed-test js-syntax  ## ruff: lint, and the format check; mypy: the types of app/; the JS modules' syntax
	$(BIN)/ruff check app tests benchmarks
	$(BIN)/ruff format --check app tests benchmarks
	$(BIN)/mypy

e2e: $(VENV)/.installed-test chromium nginx $(AXE)
	$(BIN)/python -m pytest tests/e2e

# axe-core, the accessibility checker the browser tests inject into the page (npm, test only).
$(AXE):
	@command -v npm >/dev/null 2>&1 || { echo "The accessibility test needs npm (Node.js): sudo apt-get install npm"; exit 1; }
	npm install --silent --no-audit --no-fund --prefix tests/e2e/.axe axe-core@4.14.1

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Exact versions with their hashes from the lock files (make lock writes them), then the
# project itself, editable, adding nothing.
$(VENV)/.installed-run: requirements.lock pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# The test lock adds the test extra (pytest, Playwright's Python driver, ...) and torch, the
# reference for the math tests (the CPU build this project's machines hold).
$(VENV)/.installed-test: requirements-test.lock pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-test.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed-run

# Refresh both lock files from the ranges in pyproject.toml (the newest versions they admit),
# with pip-tools in a venv of its own; the test lock keeps every version the run lock chose.
LOCK_TOOL := .venv-lock/bin/pip-compile
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock:
	test -x $(LOCK_TOOL) || { $(PYTHON) -m venv .venv-lock && .venv-lock/bin/python -m pip install --quiet pip-tools==7.6.2; }
	CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_TOOL) $(LOCK_FLAGS) --upgrade -o requirements.lock pyproject.toml
	CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_TOOL) $(LOCK_FLAGS) --upgrade --extra test --extra torch \
		-c requirements.lock -o requirements-test.lock pyproject.toml

# The wheel a user installs (templates, static files and bundled models inside): dist/.
wheel: | $(VENV)/bin/python
	$(BIN)/python -m pip wheel --quiet --no-deps -w dist .

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

# Debian's nginx for the reverse-proxy tests, installed like chromium (the tests run their own
# nginx processes, on free ports, with their own configuration).
nginx:
	@if [ -n "$$GATESCOPE_NGINX" ] || command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's nginx for the reverse-proxy tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; \
	else \
		echo "The reverse-proxy tests need nginx: run 'sudo apt-get install nginx-light', or set GATESCOPE_NGINX=/path/to/nginx."; \
		exit 1; \
	fi

# Build the Docker image and check it and compose.yaml serve (docs/deploy.md): Debian's docker.io
# and a base image made with debootstrap where no registry is reachable. CI runs it after `make test`.
docker-smoke: $(VENV)/.installed-test
	$(BIN)/python -m tests.deploy.docker_smoke

clean:
	rm -rf $(VENV) .venv-lock dist .pytest_cache tests/e2e/screenshots tests/e2e/.axe
