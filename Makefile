# Two commands for a fresh machine: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The demo shows the 2023 presidency as it stood on this day (DEBUG only; `make run DEMO_TODAY=` for today).
DEMO_TODAY ?= 2023-07-14
STAMP := $(VENV)/.requirements-installed

.PHONY: run test setup install db lint clean prod prod-stop bench screenshots

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

install: $(STAMP)

# Database, seed and demo accounts for the embedded mode (SQLite, no Redis).
db: install
	@mkdir -p var
	DEBUG=1 $(PY) manage.py compile_translations
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_agenda
	DEBUG=1 $(PY) manage.py create_demo_users
	DEBUG=1 DEMO_TODAY=$(DEMO_TODAY) $(PY) manage.py seed_demo_story

setup: db

run: setup
	@echo "Serving the board on http://127.0.0.1:$(PORT)/ (demo accounts are in the README)"
	PY=$(PY) PORT=$(PORT) DEBUG=1 DEMO_TODAY=$(DEMO_TODAY) scripts/run-embedded

# The suite runs on TEST_JOBS processes (pytest-xdist; TEST_JOBS=0 for one), then the few `exclusive` tests that
# change machine-wide state (restarting PostgreSQL) run alone. Exit code 5 = "nothing selected" in that half.
TEST_JOBS ?= 2
test: install
	@mkdir -p var
	$(PY) -m pytest -n $(TEST_JOBS) -m "not exclusive" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(PY) -m pytest -m exclusive $(PYTEST_ARGS) || [ $$? -eq 5 ]

# Refresh the README's pictures: the browser tests write their screenshots into docs/screenshots/ (a plain
# `make test` keeps them in a temporary folder), with the demo's clock in mid-presidency.
screenshots: install
	@mkdir -p var docs/screenshots
	SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots SCREENSHOTS_DEMO_TODAY=$(DEMO_TODAY) $(PY) -m pytest -q tests/e2e $(PYTEST_ARGS)

# The production stack on this machine: PostgreSQL, Redis, gunicorn, Celery worker and beat (docs/operations.md).
prod: install
	scripts/prod start

prod-stop:
	scripts/prod stop

# The benchmark suite (docs/performance.md): gunicorn on PostgreSQL at N = 1,000, 10,000, 100,000; one table.
bench: install
	benchmarks/run

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) var db.sqlite3 db.sqlite3-* staticfiles
