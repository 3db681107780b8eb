from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import Account, Subscription, active_on_q
from lifecycle.lib.dates import month_ends

HISTORY_MONTHS = 12


@login_required
@permission_required("staff.view_dashboards", raise_exception=True)
def home(request: HttpRequest) -> HttpResponse:
    """Today's headline numbers and total MRR over the last twelve months."""
    today = timezone.localdate()
    days = month_ends(today, HISTORY_MONTHS)
    mrr_by_month = Subscription.objects.aggregate(
        **{f"d{i}": Sum("mrr", filter=active_on_q(day)) for i, day in enumerate(days)}
    )
    statuses = Account.objects.with_status(today).aggregate(
        accounts=Count("pk"),
        customers=Count("pk", filter=Q(status="customer")),
        churned=Count("pk", filter=Q(status="churned")),
        # Not "mrr": an aggregate named like the annotation it sums reads an empty column.
        total_mrr=Sum("mrr"),
    )
    chart = {
        "labels": [day.strftime("%Y-%m") for day in days],
        "mrr": [str(mrr_by_month[f"d{i}"] or 0) for i in range(len(days))],
    }
    context = {
        "today": today,
        "totals": statuses,
        "chart": chart,
        "rows": list(zip(chart["labels"], chart["mrr"], strict=True)),
    }
    return render(request, "home.html", context)
