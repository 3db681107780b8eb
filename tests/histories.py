"""Generated subscription histories for the property tests of the metrics: every example
replaces the CRM tables with a few accounts and the subscriptions Hypothesis drew."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from accounts.models import Account, Subscription
from lifecycle.metrics.periods import Period

DAY0 = dt.date(2024, 1, 1)


def _day(offset: int) -> dt.date:
    return DAY0 + dt.timedelta(days=offset)


def period_after(start: int, length: int) -> Period:
    """The `length` days from day `start` of the generated history."""
    return Period(_day(start), _day(start + length))


def replace_history(accounts: Sequence[dict[str, Any]], rows: Iterable[tuple]) -> list[dict]:
    """One account per field dict in `accounts`, then one subscription per row:
    (account index, mrr, start day, days of service or None for open, cancel type[, reason]).
    Returns the subscriptions as a reference implementation reads them."""
    Subscription.objects.all().delete()
    Account.objects.all().delete()
    made = [Account.objects.create(name=f"A{i}", **fields) for i, fields in enumerate(accounts)]
    subs = []
    for account, mrr, start, days, cancel_type, *reason in rows:
        begin = _day(start)
        end = begin + dt.timedelta(days=days) if days else None
        Subscription.objects.create(
            account=made[account],
            mrr=mrr,
            started_on=begin,
            ended_on=end,
            cancel_type=cancel_type if end else "",
            cancel_reason=reason[0] if end and reason else "",
        )
        subs.append({"account": account, "mrr": mrr, "start": begin, "end": end})
    return subs
