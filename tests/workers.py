"""Helpers for tests that start a real `celery worker` process against the test database."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from kombu import Connection

from lifecycle.lib.brokers import filesystem_broker_options

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or 6379), timeout=1).close()
    except OSError:
        return False
    return True


def database_url_for_the_test_database() -> str:
    """The URL of the database this test run created, for the worker process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] or ""
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def broker_connection(url: str) -> Connection:
    if url.startswith("filesystem://"):
        # The folders a worker started with CELERY_BROKER_URL=filesystem:// uses.
        options = filesystem_broker_options(settings.VAR_DIR / "celery")
        return Connection(url, transport_options=options)
    return Connection(url)
