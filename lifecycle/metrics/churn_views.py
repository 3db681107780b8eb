"""The churn dashboard and its CSV downloads; the numbers come from `churn.py`."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lifecycle.metrics.churn import CSV_FIELDS, account_row, churned_accounts, csv_table, dashboard
from lifecycle.metrics.definitions import DEFINITIONS
from lifecycle.metrics.forms import MetricsForm
from lifecycle.metrics.periods import chart_period

PAGE_SIZE = 50
BREAKDOWN_TITLES = {
    "industry": _lazy("By industry"),
    "band": _lazy("By employee band"),
    "cohort": _lazy("By cohort (quarter of the first customer day)"),
}
BREAKDOWN_COLUMNS = (
    "customers_start",
    "churned_customers",
    "customer_churn_rate",
    "churned_mrr",
    "share_of_churned_mrr",
    "gross_revenue_retention",
    "net_revenue_retention",
)
ACCOUNT_COLUMNS = ("churned_on", "churn_type", "churn_reason", "churned_mrr")


class CountedPaginator(Paginator):
    """A paginator told how many objects there are, sparing a COUNT of an expensive query."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


def _definitions(keys: Iterable[str]) -> list[dict[str, str]]:
    return [{"label": DEFINITIONS[key][0], "formula": DEFINITIONS[key][1]} for key in keys]


@login_required
@permission_required("staff.view_dashboards", raise_exception=True)
def churn(request: HttpRequest) -> HttpResponse:
    form = MetricsForm(request.GET)
    if not form.is_valid():
        return render(request, "metrics/churn.html", {"form": form}, status=400)
    period, segment = form.cleaned_data["range"], form.cleaned_data["segment"]
    numbers = dashboard(period, segment)
    # One typing subscription per churn, month by month: the headline has counted them.
    counted = numbers["metrics"].get("summed_churned_customers")
    if counted is None:
        counted = numbers["metrics"]["churned_customers"]
    paginator = CountedPaginator(churned_accounts(period, segment), PAGE_SIZE, counted)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "period": period,
        "page": page,
        "accounts": [account_row(event, period) for event in page],
        "query": query.urlencode(),
        "defs": {
            key: {"label": label, "formula": formula}
            for key, (label, formula) in DEFINITIONS.items()
        },
        "breakdown_definitions": _definitions(BREAKDOWN_COLUMNS),
        "account_definitions": _definitions(ACCOUNT_COLUMNS),
        **numbers,
        "breakdown_tables": [
            (by, title, numbers["breakdowns"][by]) for by, title in BREAKDOWN_TITLES.items()
        ],
    }
    return render(request, "metrics/churn.html", context)


@login_required
@permission_required("staff.view_dashboards", raise_exception=True)
def churn_csv(request: HttpRequest) -> HttpResponse:
    """One table of the churn page for a spreadsheet: ?table=reasons|industry|band|cohort|
    accounts|series (accounts when not given) and the page's period and filters."""
    table = request.GET.get("table") or "accounts"
    if table not in CSV_FIELDS:
        message = _("table: give one of %(tables)s.") % {"tables": ", ".join(CSV_FIELDS)}
        return HttpResponse(message, status=400, content_type="text/plain")
    form = MetricsForm(request.GET)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    period, segment = form.cleaned_data["range"], form.cleaned_data["segment"]
    shown = chart_period(period) if table == "series" else period
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"churn-{table}-{shown.start}-{shown.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.DictWriter(response, fieldnames=CSV_FIELDS[table], extrasaction="ignore")
    writer.writeheader()
    writer.writerows(csv_table(table, period, segment))
    return response
