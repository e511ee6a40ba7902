# Buddying: `make run` sets up and runs the product; `make test` sets up and runs the checks and tests.
# Both work in a fresh clone with python3 (3.11), node and npm. With DATABASE_URL and REDIS_URL set
# they use PostgreSQL and Redis; otherwise SQLite and a filesystem broker under the project.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
# The embedded run and the checks use the development settings; a deployment leaves DEBUG off
# (its default) and must then set SECRET_KEY and ALLOWED_HOSTS.
export DEBUG ?= true

.PHONY: run test setup setup-dev lint check check-deploy check-runtime-lock pytest demo-data chromium lock clean

$(VENV)/.installed-run: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# The dev lock is installed together with the runtime lock, so the runtime pins always win.
$(VENV)/.installed-dev: $(VENV)/.installed-run requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

## Re-lock after editing requirements.in or requirements-dev.in (pins that still fit are kept).
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --strip-extras \
	--allow-unsafe --no-emit-index-url --no-emit-find-links
lock: $(VENV)/.installed-dev
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed-run node_modules/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

setup-dev: $(VENV)/.installed-dev node_modules/.installed

## Demo data: the NHS trusts from the ODS file, demo users and the publicly reported buddy pairs.
demo-data: setup
	$(PY) manage.py import_organisations
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_demo_commitments
	$(PY) manage.py seed_demo_risks
	$(PY) manage.py seed_demo_secondments
	$(PY) manage.py seed_demo_agreements
	$(PY) manage.py seed_demo_reviews

## Run the web server, a Celery worker and Celery beat together (quietly); once all three have
## started, the Procfile's "signins" lists where the service is and the demo sign-ins, last.
## honcho gives each process type its own PORT (the web server the first), so the sign-ins are
## told the web server's as WEB_PORT.
run: demo-data
	@echo ""
	@echo "Buddying is starting at http://127.0.0.1:$(PORT)/ (the demo sign-ins follow once it has started)."
	@echo ""
	PORT=$(PORT) WEB_PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile

## Headless Chromium from Debian's package, for the browser tests (never a downloaded browser).
chromium:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Debian's chromium package (sudo apt-get install chromium) for the browser tests."; exit 1; fi; }

lint: setup-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

check: setup-dev
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) scripts/check_migrations_from_zero.py
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

## Production settings must pass Django's deployment checks.
check-deploy: setup-dev
	DEBUG=false ALLOWED_HOSTS=buddying.example.nhs.uk \
	SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	$(PY) manage.py check --deploy --fail-level WARNING

## The runtime lock alone is complete: a fresh venv with only requirements.txt (no dependency
## resolution, so nothing missing from the lock is quietly fetched) passes `pip check` and serves
## /healthz with 200 against the configured database and broker (Redis when REDIS_URL is set).
check-runtime-lock:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r requirements.txt; \
	"$$tmp/venv/bin/pip" check --disable-pip-version-check; \
	export DATABASE_URL="$${DATABASE_URL:-sqlite:///$$tmp/db.sqlite3}" BROKER_DIR="$$tmp/broker"; \
	"$$tmp/venv/bin/python" manage.py createcachetable; \
	"$$tmp/venv/bin/python" manage.py shell --no-startup --no-imports -c "$$HEALTHZ_FROM_RUNTIME_LOCK"
export HEALTHZ_FROM_RUNTIME_LOCK
define HEALTHZ_FROM_RUNTIME_LOCK
import sys
from django.conf import settings
from django.test import Client
from buddying.celery import app
response = Client().get("/healthz")
print("runtime lock: /healthz", response.status_code, response.content.decode())
if response.status_code != 200:
    sys.exit("runtime lock: /healthz did not answer 200 with only requirements.txt installed")
if app.connection_for_write().transport.driver_type != ("redis" if settings.REDIS_URL else "filesystem"):
    sys.exit("runtime lock: /healthz did not check the configured broker")
endef

pytest: setup-dev chromium
	$(VENV)/bin/pytest

test: lint check check-deploy check-runtime-lock pytest

clean:
	rm -rf $(VENV) node_modules staticfiles .broker db.sqlite3
