"""Claiming a unit of background work, and waiting longer after each failed attempt: one
helper for every outbox (campaign messages, webhook deliveries)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

MAX_EXPONENT = 16  # 2**16 times the first delay is past any sensible cap


def claim(rows: QuerySet, **changes: Any) -> bool:
    """Take the one row `rows` selects with a conditional UPDATE. True only for the caller
    whose UPDATE changed it, so two workers holding the same id never both go on."""
    return rows.update(**changes) == 1


def backoff(
    attempts: int, *, first: dt.timedelta = dt.timedelta(minutes=1), cap: dt.timedelta | None = None
) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: first, twice that, four times... at
    most `cap`."""
    delay = first * 2 ** min(max(attempts - 1, 0), MAX_EXPONENT)
    return min(delay, cap) if cap is not None else delay
