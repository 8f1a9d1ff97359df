"""A real local SMTP server for tests (aiosmtpd), which can be stopped and restarted on the same port."""
import asyncio
import email
import email.policy
import threading

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self, server):
        self.server = server

    async def handle_DATA(self, smtp_server, session, envelope):
        if self.server.held & set(envelope.rcpt_tos):
            # A slow mail server for these recipients: the sender waits until the test releases them.
            await asyncio.get_running_loop().run_in_executor(None, self.server.released.wait)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.server.lock:
            self.server.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                         "message": message, "connection": session.peer})
        if self.server.hang_up_after_each:
            # Closed once this reply is on its way, as a server with a one-message-per-connection policy does.
            asyncio.get_running_loop().call_soon(smtp_server.transport.close)
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self, port=0):
        self.messages = []
        self.lock = threading.Lock()
        self.port = port or _free_port()
        self.controller = None
        self.held = set()  # recipients whose messages wait for release()
        self.released = threading.Event()
        self.hang_up_after_each = False

    def hold(self, *addresses):
        self.released.clear()
        self.held.update(addresses)

    def release(self):
        self.held.clear()
        self.released.set()

    def start(self):
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.release()
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def running(self):
        return self.controller is not None

    def to(self, address):
        return [m["message"] for m in self.messages if address in m["to"]]

    def connections(self):
        """How many SMTP connections delivered the messages received."""
        return len({m["connection"] for m in self.messages})

    def recipients(self):
        return sorted(a for m in self.messages for a in m["to"])


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
