"""Enqueue after commit without letting a broker outage fail the request that caused it."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Task, *args: Any) -> None:
    """`task.delay(*args)` once the transaction commits. The database already records the
    work (a beat tick re-drives it), so a broker that is down only delays it."""

    def enqueue() -> None:
        try:
            task.delay(*args)
        except Exception:
            logger.warning("Could not enqueue %s; the next tick will", task.name, exc_info=True)

    transaction.on_commit(enqueue)
