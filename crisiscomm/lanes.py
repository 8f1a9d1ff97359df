"""The alert lane: reporting and acknowledging an incident never waits behind readers.

A gunicorn worker (``-k crisiscomm.lanes.AlertLaneWorker``) keeps two thread pools: ``--threads`` for every
request, and ``ALERT_LANE_THREADS`` (default 2) kept for the alert path alone. The worker's event loop peeks
at the request line before handing a connection to a pool (``MSG_PEEK``: nothing is consumed), so a new
incident or an acknowledgement goes straight to a free alert thread even when fifty people hold every other
thread with list pages. The worker is plain gunicorn ``gthread`` otherwise (keep-alive, graceful stop).

Why in the worker and not behind the proxy: one process pool serves both lanes, so ``make run``, a single host
and every host of a scaled-out setup get the lane with no extra service, and the read capacity that stays
free when nobody reports anything is not wasted. nginx terminates TLS (deploy/nginx-crisiscomm.conf), so the
worker sees plain HTTP and can read the request line.
"""
import errno
import os
import re
import selectors
import socket
import time
from concurrent import futures
from functools import partial

from gunicorn.workers.gthread import ThreadWorker

from .priority import alert_running, wait_for_alerts

# Method and path of the alert path: report an incident (API and form), acknowledge an escalation (signed-in,
# signed e-mail link, one-tap notification link). Kept to what must be fast: the rest of an incident's page is
# reading.
ALERT_REQUEST = re.compile(
    rb"^(?:POST /api/v1/incidents(?:/\d+/acknowledge)?/?"
    rb"|POST /incidents/(?:new|\d+/acknowledge)/?"
    rb"|(?:GET|POST) /incidents/ack/[^ /?]+"
    rb"|(?:GET|POST) /n/[^ /?]+)"
    rb"(?:[?][^ ]*)? HTTP/1\.[01]\r?\n")

PEEK_BYTES = 512  # a request line of the alert path is far shorter; a longer one is not on it


def is_alert_request(head):
    """True when the first bytes of a request (its request line) belong to the alert path."""
    return bool(ALERT_REQUEST.match(head))


class AlertLaneWorker(ThreadWorker):
    """gthread with a second, small thread pool reserved for the alert path."""

    def init_process(self):
        self.alert_pool = futures.ThreadPoolExecutor(
            max_workers=max(1, int(os.environ.get("ALERT_LANE_THREADS", "2"))), thread_name_prefix="alert-lane")
        super().init_process()

    def _head(self, conn):
        """The request bytes already here, without consuming them; None when none have arrived yet."""
        if conn.parser is not None:
            buffered = conn.parser.unreader.buf.getvalue()  # read ahead past the previous request
            if buffered:
                return buffered[:PEEK_BYTES]
        try:
            return conn.sock.recv(PEEK_BYTES, socket.MSG_PEEK | socket.MSG_DONTWAIT) or b""
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                return None
            return b""  # a reset connection: the ordinary pool closes it

    def enqueue_req(self, conn):
        head = self._head(conn)
        if head is None and not conn.initialized and self.alive:
            # A fresh connection whose request has not arrived yet: wait for it in the event loop (as gthread
            # does for a slow client), then choose the pool.
            conn.timeout = time.monotonic() + max(self.cfg.keepalive, 1)
            self.pending_conns.append(conn)
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn))
            return
        if head and is_alert_request(head):
            fs = self.alert_pool.submit(self.handle_alert, conn)
        else:
            fs = self.tpool.submit(self.handle_ordinary, conn)
        fs.add_done_callback(lambda fut: self.method_queue.defer(self.finish_request, conn, fut))

    def handle_alert(self, conn):
        with alert_running():
            return self.handle(conn)

    def handle_ordinary(self, conn):
        wait_for_alerts()  # see crisiscomm/priority.py
        return self.handle(conn)

    def handle_quit(self, sig, frame):
        self.alert_pool.shutdown(wait=False)
        super().handle_quit(sig, frame)

    def run(self):
        try:
            super().run()
        finally:
            self.alert_pool.shutdown(wait=False)

