"""Dashboard figures kept for a few seconds in each worker.

The Ministry overview and the inquiry figures aggregate ten years of records (100–250 ms each); on exam day
dozens of people reload them while others log inquiries and incidents. Each worker keeps the last result of
such an aggregate for FIGURES_CACHE_SECONDS (0 turns this off) and the page says when it was computed.
Only aggregates go through here: records, lists, searches and exports are always read live.

While one thread recomputes an expired entry the others keep answering with the previous figures instead of
all recomputing at once. Expiry follows the app clock (crisiscomm.clock), so tests move time, never sleep.
"""
import threading
from datetime import timedelta

from flask import current_app

from .clock import now

_MAX_ENTRIES = 512


class FiguresCache:
    def __init__(self):
        self._lock = threading.Lock()
        self._entries = {}  # key -> (expires_at, computed_at, value)
        self._refreshing = set()

    def get(self, key, compute, seconds):
        """(value, computed_at) of ``compute()``, reused for ``seconds``. Values must be plain data (no ORM
        objects: they outlive the session that loaded them)."""
        at = now()
        if seconds <= 0:
            return compute(), at
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and (entry[0] > at or key in self._refreshing):
                return entry[2], entry[1]
            self._refreshing.add(key)
        try:
            value = compute()
        finally:
            with self._lock:
                self._refreshing.discard(key)
        with self._lock:
            if len(self._entries) >= _MAX_ENTRIES:
                self._entries = {k: e for k, e in self._entries.items() if e[0] > at}
                if len(self._entries) >= _MAX_ENTRIES:
                    self._entries.clear()
            self._entries[key] = (at + timedelta(seconds=seconds), at, value)
        return value, at


def cached(key, compute):
    """``compute()`` through the app's cache: (value, computed_at)."""
    app = current_app._get_current_object()
    cache = app.extensions.setdefault("figures_cache", FiguresCache())
    return cache.get(key, compute, app.config.get("FIGURES_CACHE_SECONDS", 0))
