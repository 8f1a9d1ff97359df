"""CI cannot go green by losing half its coverage: under CI=true a missing PostgreSQL or Chromium fails the run
(make test and pytest alike); locally both are skipped with a message. Each case runs the real command."""
import os
import subprocess
import sys

import pytest

from ..conftest import PROJECT_DIR

BROWSER_TEST = "tests/foundation/test_browser.py::test_spokesperson_signs_in_navigates_on_a_phone_and_signs_out"
NOWHERE_PG = "postgresql://postgres@127.0.0.1:1/test"  # nothing listens on port 1


def _env(**changes):
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "TEST_DATABASE_URL", "PYTEST_ADDOPTS")}
    env.update({k: v for k, v in changes.items() if v is not None})
    return env


def _run(args, **env):
    return subprocess.run(args, cwd=PROJECT_DIR, env=_env(**env), capture_output=True, text=True, timeout=300)


def _make_test(**variables):
    # -o: never reinstall the venv from inside a test; `make test` is otherwise exactly what CI runs.
    args = ["make", "--no-print-directory", "-o", ".venv/.installed-test", "test"]
    args += [f"{k}={v}" for k, v in variables.items()]
    return _run(args)


@pytest.mark.slow
def test_make_test_fails_under_ci_when_postgresql_does_not_answer():
    result = _make_test(CI="true", PG_TEST_URL=NOWHERE_PG)
    assert result.returncode != 0
    assert f"PostgreSQL does not answer at {NOWHERE_PG}" in result.stderr
    assert "passed" not in result.stdout  # it stopped before running the suite on SQLite alone


@pytest.mark.slow
def test_make_test_fails_under_ci_when_chromium_is_missing():
    result = _make_test(CI="true", CHROMIUM_PATH="/nonexistent/chromium")
    assert result.returncode != 0
    assert "no Chromium at /nonexistent/chromium" in result.stderr


def test_pytest_refuses_to_run_under_ci_without_postgresql():
    result = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                   "tests/foundation/test_devmail.py"], CI="true")
    assert result.returncode != 0
    assert "TEST_DATABASE_URL is not" in result.stderr + result.stdout


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs TEST_DATABASE_URL to get past the check")
@pytest.mark.slow
def test_browser_tests_fail_under_ci_and_skip_locally_without_chromium():
    args = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", BROWSER_TEST]
    ci = _run(args, CI="true", CHROMIUM_PATH="/nonexistent/chromium", TEST_DATABASE_URL=os.environ["TEST_DATABASE_URL"])
    assert ci.returncode != 0
    assert "browser tests cannot run: no Chromium at /nonexistent/chromium" in ci.stdout
    local = _run(args, CHROMIUM_PATH="/nonexistent/chromium")
    assert local.returncode == 0
    assert "browser tests skipped: no Chromium at /nonexistent/chromium" in local.stdout
