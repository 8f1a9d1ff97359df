"""Waiting for real concurrent work (a sender thread, a gunicorn worker) to reach a state, with a bound."""
import time


def wait_until(condition, what, timeout=30):
    """Return once ``condition()`` is true; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)
