"""gunicorn serving wsgi:app in a subprocess, as production runs it (tests of the deployment's moving parts)."""
import os
import socket
import subprocess
import sys
import time

from crisiscomm import PROJECT_DIR


class Gunicorn:
    def __init__(self, database_url, port, *, workers=1, worker_class="crisiscomm.lanes.AlertLaneWorker",
                 threads=4, **env):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        environment = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "gunicorn-test",
                       "CRISISCOMM_SCHEDULER": "off", **{k: str(v) for k, v in env.items()}}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", worker_class, "--threads", str(threads),
             "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
            cwd=PROJECT_DIR, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def wait_until_serving(self, timeout=30):
        """Returns once /healthz answers (the app is up, not only the socket)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
                    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if sock.recv(12).startswith(b"HTTP/1.1 "):
                        return self
            except OSError:
                pass
            assert self.proc.poll() is None, self.proc.stdout.read().decode()[-2000:]
            assert time.monotonic() < deadline, f"gunicorn did not answer within {timeout} s"
            time.sleep(0.1)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()
