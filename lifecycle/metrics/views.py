from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lifecycle.metrics.dashboard import MOVEMENTS, RATES, charts, headline
from lifecycle.metrics.definitions import DEFINITIONS
from lifecycle.metrics.forms import DashboardForm
from lifecycle.metrics.periods import chart_period
from lifecycle.metrics.series import metric_series

CHART_LABELS = [*MOVEMENTS, "mrr_end", "customers_end", *RATES]


@login_required
@permission_required("staff.view_dashboards", raise_exception=True)
def overview(request: HttpRequest) -> HttpResponse:
    form = DashboardForm(request.GET)
    if not form.is_valid():
        return render(request, "metrics/overview.html", {"form": form}, status=400)
    period, segment = form.cleaned_data["range"], form.cleaned_data["segment"]
    cards, previous = headline(period, segment)
    chart = charts(period, segment)
    chart["data"]["names"] = {
        key: str(DEFINITIONS[key][0]) for key in CHART_LABELS if key in DEFINITIONS
    }
    context = {
        "form": form,
        "period": period,
        "previous": previous,
        "cards": cards,
        "chart": chart,
        "query": request.GET.urlencode(),
        "movement_keys": MOVEMENTS,
    }
    return render(request, "metrics/overview.html", context)


@login_required
@permission_required("staff.view_dashboards", raise_exception=True)
def series_csv(request: HttpRequest) -> HttpResponse:
    """The monthly table behind the overview charts, for a spreadsheet."""
    form = DashboardForm(request.GET)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    period = chart_period(form.cleaned_data["range"])
    rows = metric_series(period, "month", form.cleaned_data["segment"])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"metrics-{period.start}-{period.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.DictWriter(response, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return response
