# Two commands for a newcomer: `make run` and `make test`. Everything else is what they need.
# Each target installs what it needs on first use, so a fresh machine needs no manual step.

PYODIDE_VERSION := $(shell node -p "require('./package.json').dependencies.pyodide" 2>/dev/null)
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.8
ASSETS := build/static/pyodide/$(PYODIDE_VERSION)
WHEEL_SOURCES := $(wildcard hashing_wasm/*.py) hashing_wasm/pyproject.toml

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test lint fmt bench assets messages deps test-tools clean

## run: the site on http://127.0.0.1:8000/ with a Celery worker and beat (SQLite and a
## file broker unless DATABASE_URL / CELERY_BROKER_URL say otherwise)
run: deps assets messages
	mkdir -p var
	$(PY) manage.py migrate --no-input
	$(VENV)/bin/honcho start -f Procfile

## test: lint, migrations check, and the whole suite against real PostgreSQL, Redis and Chromium
test: deps assets messages test-tools
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	scripts/with-services.sh $(PY) manage.py makemigrations --check --dry-run
	scripts/with-services.sh $(PY) -m pytest $(PYTEST_ARGS)

bench: deps assets messages test-tools
	scripts/with-services.sh $(PY) -m bench $(BENCH)

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

fmt:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

deps: $(VENV)/.synced node_modules/.package-lock.json

$(VENV)/.synced: uv.lock pyproject.toml
	@test -x $(PY) || { py=$$(scripts/find-python.sh) && $$py -m venv $(VENV); }
	@test -x $(UV) || $(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UV) sync --frozen --python $(PY)
	touch $@

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

## assets: Pyodide's core files and our hashing_wasm wheel in a versioned static folder,
## with the wheel added to Pyodide's lock file (sha256 checked by the browser)
assets: $(ASSETS)/pyodide-lock.json

$(ASSETS)/pyodide-lock.json: node_modules/.package-lock.json $(VENV)/.synced $(WHEEL_SOURCES)
	scripts/build-assets.sh $(PYODIDE_VERSION)

## messages: the pages' translations (locale/*/LC_MESSAGES/*.po) compiled to the .mo files
## Django reads; GNU gettext's msgfmt comes from Debian's package when missing
messages: $(VENV)/.synced
	@scripts/apt-install.sh msgfmt gettext
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules --ignore=build -v 0

## test-tools: Debian's Chromium for the browser tests (Playwright never downloads a browser
## here) and nginx, to check deploy/'s nginx configuration
test-tools:
	@scripts/apt-install.sh chromium chromium fonts-dejavu-core
	@scripts/apt-install.sh nginx nginx-light

clean:
	rm -rf build var
