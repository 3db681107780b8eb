from __future__ import annotations

import csv
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from lifecycle.metrics.cohorts import CSV_COLUMNS, cohort_table, csv_rows, curves, heatmap
from lifecycle.metrics.dashboard import (
    MOVEMENTS,
    RATES,
    charts,
    email_cards,
    feedback,
    headline,
    revenue_cards,
)
from lifecycle.metrics.definitions import DEFINITIONS
from lifecycle.metrics.forms import CohortForm, MetricsForm
from lifecycle.metrics.periods import chart_period
from lifecycle.metrics.plans import mrr_by_plan
from lifecycle.metrics.series import metric_series

CHART_LABELS = [
    *MOVEMENTS,
    "net_mrr",
    "mrr_end",
    "customers_end",
    *RATES,
    "nps",
    "promoters",
    "passives",
    "detractors",
    "csat",
    "nps_responses",
    "csat_responses",
]


def _axis_titles() -> dict[str, str]:
    return {
        "axis_mrr": _("MRR (%(currency)s)") % {"currency": settings.CURRENCY},
        "axis_customers": _("Customers"),
        "axis_answers": _("Answers"),
        "axis_nps": _("NPS (−100 to 100)"),
        "axis_rate": _("Rate"),
    }


@login_required
@permission_required("staff.view_dashboards", raise_exception=True)
def overview(request: HttpRequest) -> HttpResponse:
    form = MetricsForm(request.GET)
    if not form.is_valid():
        return render(request, "metrics/overview.html", {"form": form}, status=400)
    period, segment = form.cleaned_data["range"], form.cleaned_data["segment"]
    cards, previous = headline(period, segment)
    chart = charts(period, segment)
    chart["data"]["names"] = {
        key: str(DEFINITIONS[key][0]) for key in CHART_LABELS if key in DEFINITIONS
    } | _axis_titles()
    # Comments are customers' own words: only for staff who may read survey answers.
    may_read_answers = request.user.has_perm("surveys.view_response")
    context = {
        "form": form,
        "period": period,
        "previous": previous,
        "cards": cards,
        "revenue_cards": revenue_cards(period, segment),
        "plans": mrr_by_plan(period, segment),
        "email_cards": email_cards(period, segment),
        "chart": chart,
        "feedback": feedback(period, segment, with_comments=may_read_answers),
        "may_read_answers": may_read_answers,
        "query": request.GET.urlencode(),
        "movement_keys": MOVEMENTS,
    }
    return render(request, "metrics/overview.html", context)


@login_required
@permission_required("staff.view_dashboards", raise_exception=True)
def series_csv(request: HttpRequest) -> HttpResponse:
    """The monthly table behind the overview charts, for a spreadsheet."""
    form = MetricsForm(request.GET)
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


def _cohorts(form: CohortForm) -> list[dict[str, Any]]:
    data = form.cleaned_data
    return cohort_table(
        start_month=data["start"],
        end_month=data["end"],
        segment=data["segment"],
        today=form.today,
    )


@login_required
@permission_required("staff.view_dashboards", raise_exception=True)
def cohorts(request: HttpRequest) -> HttpResponse:
    """Retention by cohort month as a heatmap: logos, or revenue with `?view=revenue`."""
    form = CohortForm(request.GET)
    view = "revenue" if request.GET.get("view") == "revenue" else "logos"
    if not form.is_valid():
        return render(request, "metrics/cohorts.html", {"form": form, "view": view}, status=400)
    query = request.GET.copy()
    query.pop("view", None)
    found = heatmap(_cohorts(form), view)
    context = {
        "form": form,
        "view": view,
        "heatmap": found,
        "curves": curves(found) | {"names": {"average": _("Average"), "axis": _("Month")}},
        "query": query.urlencode(),
    }
    return render(request, "metrics/cohorts.html", context)


@login_required
@permission_required("staff.view_dashboards", raise_exception=True)
def cohorts_csv(request: HttpRequest) -> HttpResponse:
    """The cohort table, one row per cohort and month offset, for a spreadsheet."""
    form = CohortForm(request.GET)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    data = form.cleaned_data
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"cohorts-{data['start']:%Y-%m}-{data['end']:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.DictWriter(response, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(csv_rows(_cohorts(form)))
    return response
