# Buddying: `make run` sets up and runs the product; `make test` sets up and runs the checks and tests.
# Both work in a fresh clone with python3 (3.11), node and npm. With DATABASE_URL and REDIS_URL set
# they use PostgreSQL and Redis; otherwise SQLite and a filesystem broker under the project.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test setup setup-dev lint check check-deploy pytest demo-data chromium clean

$(VENV)/.installed-run: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-run requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed-run node_modules/.installed
	$(PY) manage.py migrate --noinput

setup-dev: $(VENV)/.installed-dev node_modules/.installed

## Demo data: the NHS trusts from the ODS file, demo users and the publicly reported buddy pairs.
demo-data: setup
	$(PY) manage.py import_organisations
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_demo_commitments
	$(PY) manage.py seed_demo_risks

## Run the web server, a Celery worker and Celery beat together.
run: demo-data
	@echo ""
	@echo "Buddying is starting at http://127.0.0.1:$(PORT)/  (API docs: http://127.0.0.1:$(PORT)/api/docs/)"
	@echo "Sign in with a demo account above (password: buddying-demo). Stop with Ctrl+C."
	@echo ""
	PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile

## Headless Chromium from Debian's package, for the browser tests (never a downloaded browser).
chromium:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Debian's chromium package (sudo apt-get install chromium) for the browser tests."; exit 1; fi; }

lint: setup-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: setup-dev
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

## Production settings must pass Django's deployment checks.
check-deploy: setup-dev
	DEBUG=false ALLOWED_HOSTS=buddying.example.nhs.uk \
	SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	$(PY) manage.py check --deploy --fail-level WARNING

pytest: setup-dev chromium
	$(VENV)/bin/pytest

test: lint check check-deploy pytest

clean:
	rm -rf $(VENV) node_modules staticfiles .broker db.sqlite3
