# Two commands do all the set-up on a fresh machine with Python 3.11 and make:
#   make run   - venv, install, migrate, reference + demo data, serve on http://127.0.0.1:5000
#   make test  - venv, install with test extras, the whole suite (SQLite, and PostgreSQL when it answers)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app crisiscomm
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test serve scheduler db-upgrade seed check-scenarios bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	scripts/report-deps.sh
	$(PY) -m pip install --quiet -e .
	$(PY) -m crisiscomm.i18n compile
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

db-upgrade: install
	$(FLASK) db upgrade

seed: db-upgrade
	$(FLASK) setup --demo

run: seed
	CRISISCOMM_SCHEDULER=in-process $(FLASK) run --host $(HOST) --port $(PORT)

scheduler: install
	$(FLASK) scheduler

check-scenarios: install
	$(FLASK) scenarios check

CHROMIUM_PATH ?= /usr/bin/chromium
export CHROMIUM_PATH

test: install-test
	$(PY) -m crisiscomm.i18n compile
	@if [ -x "$(CHROMIUM_PATH)" ]; then \
		echo "Chromium found at $(CHROMIUM_PATH): browser tests run."; \
	else \
		echo "No Chromium at $(CHROMIUM_PATH): browser tests are SKIPPED (apt-get install chromium, or set CHROMIUM_PATH)."; \
	fi
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(PG_TEST_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "PostgreSQL answers at $(PG_TEST_URL): the suite runs on SQLite and PostgreSQL."; \
		TEST_DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest $(PYTEST_ARGS); \
	else \
		echo "PostgreSQL does not answer at $(PG_TEST_URL): the suite runs on SQLite only."; \
		$(PY) -m pytest $(PYTEST_ARGS); \
	fi

# The exam-day load on ten years of generated data (SQLite; BENCH_ARGS="--database-url postgresql+psycopg://...").
bench: install-test
	$(PY) bench/load.py --years 10 $(BENCH_ARGS)
	$(PY) bench/incidents.py --years 10 $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance/*.db* .pytest_cache
