# Two commands do all the set-up on a fresh machine with Python 3.11 and make:
#   make run   - venv, install from the lock, migrate, reference + demo data, a development mail catcher,
#                serve on http://127.0.0.1:5000 (sent emails at http://127.0.0.1:5000/dev/mail)
#   make test  - venv, install from the lock with the test tools, the whole suite (SQLite, and PostgreSQL when it
#                answers; under CI=true a missing PostgreSQL or Chromium fails the run)
# Installs come only from requirements/app.txt and requirements/test.txt (exact versions, hashes checked);
# `make lock` refreshes them from pyproject.toml (CONTRIBUTING.md, "Dependencies").
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
FLASK := $(VENV)/bin/flask --app crisiscomm
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 5000
# The development mail catcher of `make run` (DEV_MAIL=0: none, mail goes to SMTP_HOST/SMTP_PORT as configured).
DEV_MAIL ?= 1
DEV_MAIL_PORT ?= 1025
DEV_MAIL_DIR ?= $(CURDIR)/instance/devmail
# CI=true (or 1/yes) turns "skipped with a message" into "failed" for PostgreSQL and Chromium.
IN_CI := $(filter 1 true yes TRUE True YES,$(CI))
# The tool that writes the locks; only `make lock` installs it.
UV_SPEC ?= uv>=0.9,<1
LOCK_FLAGS := --generate-hashes --universal --python-version 3.11 --custom-compile-command "make lock" --quiet

.PHONY: run test install install-test serve scheduler db-upgrade seed check-scenarios bench clean lock lock-upgrade

$(VENV)/bin/python:
	@echo "==> [1/3] Creating the virtual environment $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)

# Installs print a line per package (no --quiet): the first run takes a minute or two.
# $(1): the lock file. A dependency in pyproject.toml that the lock lacks fails `pip check`, not an import later.
define install_from_lock
	@echo "==> [2/3] Debian libraries of the fast report's PDF (installed only when missing), then the locked packages of $(1) (hashes checked)"
	scripts/report-deps.sh
	$(PIP) install --progress-bar off --require-hashes --no-deps -r $(1)
	@echo "==> [3/3] Installing crisiscomm itself (editable, no further packages) and compiling translations"
	$(PIP) install --progress-bar off --no-deps -e .
	$(PIP) check
	$(PY) -m crisiscomm.i18n compile
endef

$(VENV)/.installed: $(VENV)/bin/python requirements/app.txt pyproject.toml
	$(call install_from_lock,requirements/app.txt)
	touch $@

# The test lock is a superset of the app lock (it is resolved against it), so it installs on its own.
$(VENV)/.installed-test: $(VENV)/bin/python requirements/test.txt pyproject.toml
	$(call install_from_lock,requirements/test.txt)
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Re-resolve pyproject.toml into the locks, keeping today's versions where they still fit (after adding a
# dependency, or merging branches that did). `make lock-upgrade` moves everything to the newest allowed.
lock: $(VENV)/bin/python
	@echo "==> Resolving pyproject.toml into requirements/app.txt and requirements/test.txt"
	$(PIP) install --quiet '$(UV_SPEC)'
	@mkdir -p requirements
	$(VENV)/bin/uv pip compile pyproject.toml $(LOCK_FLAGS) $(UV_ARGS) -o requirements/app.txt
	$(VENV)/bin/uv pip compile pyproject.toml --extra test -c requirements/app.txt $(LOCK_FLAGS) $(UV_ARGS) \
		-o requirements/test.txt
	@echo "Locked: $$(grep -c '^[a-z0-9]' requirements/app.txt) app packages, $$(grep -c '^[a-z0-9]' requirements/test.txt) with the test tools."

lock-upgrade:
	$(MAKE) lock UV_ARGS=--upgrade

db-upgrade: install-test
	$(FLASK) db upgrade

# `make run` is development: it installs the test lock too (aiosmtpd is the mail catcher).
seed: db-upgrade
	$(FLASK) setup --demo

# Served as in production: gunicorn with the alert lane (crisiscomm/lanes.py), one worker that also runs the
# scheduler. The mail catcher (aiosmtpd) starts first so the demo's escalation emails land in it, and stops with the server.
run: db-upgrade
	$(PY) -m crisiscomm.i18n compile
	@set -e; \
	if [ "$(DEV_MAIL)" = "1" ]; then \
		mkdir -p "$(DEV_MAIL_DIR)"; \
		$(FLASK) devmail --host 127.0.0.1 --port $(DEV_MAIL_PORT) --dir "$(DEV_MAIL_DIR)" & catcher=$$!; \
		trap 'kill $$catcher 2>/dev/null || true' EXIT INT TERM; \
		$(PY) -m crisiscomm.devmail wait 127.0.0.1 $(DEV_MAIL_PORT); \
		export SMTP_HOST=127.0.0.1 SMTP_PORT=$(DEV_MAIL_PORT) SMTP_STARTTLS=0 SMTP_SSL=0 SMTP_USERNAME= \
			DEV_MAIL_DIR="$(DEV_MAIL_DIR)"; \
		mail_line="Sent emails (development mail catcher on 127.0.0.1:$(DEV_MAIL_PORT)): http://$(HOST):$(PORT)/dev/mail"; \
	else \
		mail_line="Emails go to SMTP $${SMTP_HOST:-127.0.0.1}:$${SMTP_PORT:-25} (DEV_MAIL=0: no mail catcher)"; \
	fi; \
	$(FLASK) setup --demo; \
	echo; \
	echo "================================================================"; \
	echo " crisiscomm (development): http://$(HOST):$(PORT)"; \
	echo " $$mail_line"; \
	echo " Sign in with a demo account above. Ctrl+C stops everything."; \
	echo "================================================================"; \
	echo; \
	CRISISCOMM_SCHEDULER=in-process $(PY) -m gunicorn -w 1 -k crisiscomm.lanes.AlertLaneWorker --threads 8 \
		-b $(HOST):$(PORT) --log-level warning wsgi:app

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
	elif [ -n "$(IN_CI)" ]; then \
		echo "FAILED: CI=$(CI) and no Chromium at $(CHROMIUM_PATH) (apt-get install chromium, or set CHROMIUM_PATH)." >&2; \
		exit 1; \
	else \
		echo "No Chromium at $(CHROMIUM_PATH): browser tests are SKIPPED (apt-get install chromium, or set CHROMIUM_PATH)."; \
	fi
	@if $(PY) -c "import psycopg; psycopg.connect('$(PG_TEST_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "PostgreSQL answers at $(PG_TEST_URL): the suite runs on SQLite and PostgreSQL."; \
		TEST_DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest $(PYTEST_ARGS); \
	elif [ -n "$(IN_CI)" ]; then \
		echo "FAILED: CI=$(CI) and PostgreSQL does not answer at $(PG_TEST_URL) (start it, or set PG_TEST_URL)." >&2; \
		exit 1; \
	else \
		echo "PostgreSQL does not answer at $(PG_TEST_URL): the suite runs on SQLite only (PostgreSQL tests SKIPPED)."; \
		$(PY) -m pytest $(PYTEST_ARGS); \
	fi

# The exam-day load on ten years of generated data (SQLite; BENCH_ARGS="--database-url postgresql+psycopg://...").
bench: install-test
	$(PY) bench/load.py --years 10 $(BENCH_ARGS)
	$(PY) bench/load.py --years 10 --reuse --alert-instance $(BENCH_ARGS)
	$(PY) bench/incidents.py --years 10 --reuse $(BENCH_ARGS)
	$(PY) bench/incidents.py --years 10 --reuse --alert-instance $(BENCH_ARGS)
	$(PY) bench/report.py

clean:
	rm -rf $(VENV) instance/*.db* instance/devmail .pytest_cache
