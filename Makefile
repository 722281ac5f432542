# OneCode: `make run` sets up everything and runs the app; `make test` runs the whole suite.
VENV   := .venv
PYTHON := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test check lint format install install-test install-dev system-test-deps build translations database bench

run: install database  ## install, migrate, seed demo data, serve on http://127.0.0.1:5000
	@echo "Sign in with a demo phone number above; in development the SMS code is shown at http://$(HOST):$(PORT)/dev/outbox"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install-test  ## install test needs (Chromium, ffmpeg, PostgreSQL, pytest, Playwright) and run every test
	$(PYTHON) -m pytest -q
	$(PYTHON) -m pytest -q --postgresql -m "not e2e"  # the same app on PostgreSQL (a throwaway cluster)

check: install-dev  ## quick: lint, then the domain and Flask tests on SQLite (no browser, no system packages)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PYTHON) -m pytest -q -m "not e2e" -p no:cacheprovider

lint: $(VENV)/.test  ## ruff: lint and formatting, as the pre-commit hook runs them
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.test  ## rewrite the Python files in the project's format, fixing what the linter can
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

install: $(VENV)/.runtime node_modules/.installed build translations

install-dev: $(VENV)/.test install  ## Python test and lint tools, without the browser or PostgreSQL

install-test: system-test-deps install-dev

$(VENV)/bin/python:
	python3 -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PYTHON) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.test: requirements-test.txt requirements.txt | $(VENV)/bin/python
	$(PYTHON) -m pip install -q -r requirements-test.txt
	touch $@ $(VENV)/.runtime

# `npm ci`: exactly the locked versions, and it never writes package-lock.json. The lock file lists
# rollup's optional platform packages for every platform (as npm 11 writes it), so it installs anywhere.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

build: node_modules/.installed  ## service worker (Workbox) and vendored browser libraries
	npm run --silent build

translations: $(VENV)/.runtime
	$(VENV)/bin/pybabel compile -d app/translations

database: $(VENV)/.runtime
	$(FLASK) db upgrade
	$(FLASK) keys init
	$(FLASK) seed-demo

system-test-deps:  ## Debian's Chromium and ffmpeg (browser tests), PostgreSQL's and Redis's servers (root, or sudo)
	@if ! command -v chromium >/dev/null || ! command -v ffmpeg >/dev/null || ! command -v redis-server >/dev/null \
		|| ! { command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl; } >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium ffmpeg postgresql redis-server; fi

bench: install-test  ## the benchmark scripts; each prints a table (they are not tests)
	$(PYTHON) bench/code_endpoint.py
	$(PYTHON) bench/signatures.py
	$(PYTHON) bench/scan_sync.py
	$(PYTHON) bench/browser_verify.py
	$(PYTHON) bench/recompute.py
	$(PYTHON) bench/control_upload.py
