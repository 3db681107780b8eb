"""Helpers for tests that start a real `celery worker` process against the test database.

Run as `python -m tests.workers worker|beat …` it is the `celery` command itself, with two
knobs a test sets in the environment of its processes:

- TEST_CELERY_QUEUE: the default queue of every task the process sends, so that beat's ticks
  and the chunks a tick hands out stay on the test's own queue (a developer's worker, or
  another test's, never takes them);
- TEST_REDISPATCH_AFTER_SECONDS: how long a dispatched message waits for its task before a
  tick dispatches it again (5 minutes in production; a fault test lasts under a minute).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from kombu import Connection

from lifecycle.lib.brokers import filesystem_broker_options

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
QUEUE_ENV = "TEST_CELERY_QUEUE"
REDISPATCH_ENV = "TEST_REDISPATCH_AFTER_SECONDS"


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


def run_celery(argv: list[str]) -> int | None:
    """The `celery` command line (`worker …`, `beat …`) with the two knobs above applied."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifecycle.settings")
    django.setup()
    from campaigns import pipeline
    from lifecycle.celery import app

    if queue := os.environ.get(QUEUE_ENV):
        app.conf.task_default_queue = queue
    if seconds := os.environ.get(REDISPATCH_ENV):
        pipeline.REDISPATCH_AFTER = dt.timedelta(seconds=float(seconds))
    return app.start(argv)


if __name__ == "__main__":
    sys.exit(run_celery(sys.argv[1:]))
