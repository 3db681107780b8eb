"""Outbound webhooks: each new response POSTed as signed JSON, retried with backoff."""

from __future__ import annotations

import datetime as dt


def deliver_due(*, now: dt.datetime) -> int:
    """Deliver every pending delivery whose time has come; returns how many were delivered."""
    return 0
