"""MRR by plan at the end of a period (docs/metrics.md, "Unit economics"): one query."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import Trim
from django.utils.translation import gettext as _

from accounts.models import Subscription, active_on_q
from lifecycle.lib.numbers import money, ratio
from lifecycle.metrics.periods import Period
from lifecycle.metrics.queries import Segment


def mrr_by_plan(period: Period, segment: Segment) -> list[dict[str, Any]]:
    """Each plan's paying subscriptions active at the close of the period's last day: the
    accounts on it, its MRR and its share of the MRR; the largest first. An account on two
    plans counts under each."""
    active = Subscription.objects.order_by().filter(active_on_q(period.last_day), mrr__gt=0)
    if segment.filters_accounts or segment.cohort_month is not None:
        active = active.filter(account__in=segment.measured_accounts())
    rows = list(
        active.annotate(name=Trim("plan"))
        .values("name")
        .annotate(accounts=Count("account", distinct=True), mrr=Sum("mrr"))
        .order_by("-mrr", "name")
    )
    total = sum((Decimal(row["mrr"]) for row in rows), Decimal(0))
    return [
        {
            "plan": row["name"] or _("(no plan name)"),
            "accounts": row["accounts"],
            "mrr": money(row["mrr"]),
            "share": ratio(Decimal(row["mrr"]), total),
        }
        for row in rows
    ]
