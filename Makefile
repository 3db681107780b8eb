# The README's two commands: `make run` and `make test`. Everything else is a step of them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip --quiet --disable-pip-version-check
WEB_PORT ?= 8000
SITE_URL ?= http://127.0.0.1:$(WEB_PORT)
export WEB_PORT SITE_URL

.PHONY: run test setup lint format messages production-smoke clean

run: $(VENV)/.runtime node_modules/.installed
	$(MAKE) --no-print-directory setup
	$(PY) manage.py bootstrap
	@echo "Web UI: http://127.0.0.1:$(WEB_PORT)/ (web, worker and beat; Ctrl-C stops all three)"
	$(VENV)/bin/honcho start -f Procfile

test: $(VENV)/.dev node_modules/.installed
	$(MAKE) --no-print-directory setup lint
	$(VENV)/bin/pytest

setup: $(VENV)/.runtime
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
	$(PY) manage.py migrate --noinput -v 0

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache --no-logo

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The README's production block in a fresh requirements.txt-only venv, on PostgreSQL with
# Redis and then RabbitMQ, delivering real email (.ci/production_smoke.py).
production-smoke: $(VENV)/.dev
	$(PY) .ci/production_smoke.py

# Re-extract the UI strings into the Spanish and Russian catalogs (then translate them).
messages: $(VENV)/.runtime
	$(PY) manage.py makemessages -l es -l ru --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=var --no-obsolete

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PIP) install -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf $(VENV) node_modules staticfiles var
