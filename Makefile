# ClientFocus — the two commands are `make run` and `make test`; both do all the set-up.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell scripts/find-python)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
VENDOR := src/clientfocus/core/static/vendor
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := clientfocus.config.settings

.PHONY: help install assets run test test-sqlite test-postgres lint migrations-check demo bench clean messages

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml requirements/constraints.txt
	@test -n "$(PYTHON)" || { echo "No Python 3.12+ found (Django 6 needs it); set PYTHON=..."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed  ## create .venv and install (pinned by requirements/constraints.txt)

$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p $(VENDOR)
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/
	touch $@

assets: $(VENDOR)/.installed  ## front-end packages from npm into core/static/vendor (no CDN)

messages: install  ## compile the ru/en translation catalogues
	$(PY) scripts/i18n.py compile

run: install assets messages  ## set up, migrate, load the demo portfolio if empty, serve at http://127.0.0.1:8000
	$(BIN)/clientfocus migrate
	$(BIN)/clientfocus demo --if-empty
	@echo "ClientFocus: open http://$(HOST):$(PORT)/"
	$(BIN)/clientfocus serve --host $(HOST) --port $(PORT)

test: install assets messages  ## the whole suite (SQLite, and PostgreSQL too when DATABASE_URL or CI says so)
	bash scripts/test.sh

lint: install  ## ruff, mypy on the framework-free packages, import-linter
	$(BIN)/ruff check .
	$(BIN)/mypy src/clientfocus/analytics src/clientfocus/exchange
	$(BIN)/lint-imports

demo: install  ## load the demo portfolio (N=500 by default: make demo N=100000)
	$(BIN)/clientfocus migrate
	$(BIN)/clientfocus demo --companies $${N:-500}

bench: install  ## benchmarks that print figures beside a reference
	$(PY) benchmarks/bench_demo_load.py

clean:  ## remove the virtualenv, built assets and the local database
	rm -rf $(VENV) node_modules $(VENDOR) var staticfiles
