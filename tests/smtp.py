"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 keeping every message it accepts.

    with SMTPServer() as server:
        use_smtp(settings, server.port)   # this process sends through it
        ...                               # or smtp_environment(server.port) for a worker
        server.messages                   # parsed with the `email` package

A server can be created without being started (`SMTPServer(start=False)`): its port is
free and nothing listens on it, which is how a test plays "the mail server is down".
"""

from __future__ import annotations

import asyncio
import email
import logging
import socket
import threading
import time
from collections import Counter
from email.message import EmailMessage
from email.policy import default as default_policy
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"

# aiosmtpd logs every SMTP command at INFO; a failing test's output should show ours.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Recorder:
    """aiosmtpd handler: stores raw messages; can refuse, reject or drop chosen recipients,
    and take `delay` seconds over each message (a slow server keeps a campaign mid-send long
    enough for a test to break something)."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []
        self.delay = 0.0
        self.refused: set[str] = set()  # 550 at RCPT TO: SMTPRecipientsRefused
        self.rejected: set[str] = set()  # 554 after DATA: SMTPDataError
        self.dropped: set[str] = set()  # the connection closes after DATA, with no answer
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list
    ) -> str:
        if address.lower() in self.refused:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        recipients = {address.lower() for address in envelope.rcpt_tos}
        if recipients & self.rejected:
            return "554 5.7.1 Message rejected"
        if recipients & self.dropped:
            server.transport.close()
            return "421 4.3.0 Closing"
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.raw.append(envelope.original_content or envelope.content)
        return "250 2.0.0 Message accepted"


class SMTPServer:
    def __init__(self, port: int | None = None, *, start: bool = True, delay: float = 0.0) -> None:
        self.port = port or free_port()
        self.handler = Recorder()
        self.handler.delay = delay
        self.controller: Controller | None = None
        if start:
            self.start()

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname=HOST, port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def __enter__(self) -> SMTPServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def count(self) -> int:
        with self.handler.lock:
            return len(self.handler.raw)

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            raw = list(self.handler.raw)
        return [email.message_from_bytes(data, policy=default_policy) for data in raw]

    def recipients(self) -> list[str]:
        return [str(message["To"]) for message in self.messages]

    def received_by(self) -> Counter[str]:
        """How many emails each address received (a fault test's "nobody got it twice")."""
        return Counter(address.lower() for address in self.recipients())

    def wait_for(self, count: int, timeout: float = 30) -> bool:
        deadline = time.monotonic() + timeout
        while self.count < count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True


def use_smtp(settings: Any, port: int) -> None:
    """Point Django's SMTP backend at 127.0.0.1:`port` (`settings` is pytest-django's)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = HOST
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


def smtp_environment(port: int) -> dict[str, str]:
    """The same, as the environment of a worker process (settings read EMAIL_* from it)."""
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": HOST,
        "EMAIL_PORT": str(port),
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": "false",
        "EMAIL_TIMEOUT": "5",
    }
