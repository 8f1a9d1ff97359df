"""The alert path first, within one process: while an exam incident is being reported or acknowledged, or its
escalation is being sent, ordinary requests of the same process wait before they start (at most
``ALERT_GATE_SECONDS``), so the alert does not share Python's interpreter lock with fresh list pages.

A request already running finishes; only new ones wait. The worker (``crisiscomm/lanes.py``) marks the alert
path's requests; the outbox marks an escalation's dispatch.
"""
import contextlib
import os
import threading

_changed = threading.Condition()
_active = 0
# Read once: the wait is on every ordinary request's path.
GATE_SECONDS = float(os.environ.get("ALERT_GATE_SECONDS", "0.5"))


@contextlib.contextmanager
def alert_running():
    """Mark alert work in progress in this process for as long as the block runs."""
    global _active
    with _changed:
        _active += 1
    try:
        yield
    finally:
        with _changed:
            _active -= 1
            if not _active:
                _changed.notify_all()


def wait_for_alerts():
    """Before an ordinary request: wait until no alert work runs in this process, or GATE_SECONDS
    (ALERT_GATE_SECONDS, default 0.5: readers are delayed, never starved). True when none was running."""
    with _changed:
        return _changed.wait_for(lambda: not _active, GATE_SECONDS)
