"""What the churn dashboard shows: churn by type month by month, by cancellation reason, by
segment (industry, employee band, cohort) and the churned accounts themselves.

Each number is a query whose cost does not grow with the number of months or segment values.
A churn event is an account that was a customer at the start of a period and is not at its
end; it takes the cancel type and reason of its subscription that ended last in the period
(ties: the larger MRR), the rule `period_metrics` applies (docs/metrics.md, "Churn type").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractQuarter, ExtractYear, Trim
from django.utils.translation import gettext_lazy as _

from accounts.bands import EMPLOYEE_BAND_CHOICES, EMPLOYEE_BANDS
from accounts.models import (
    CancelType,
    Subscription,
    account_mrr_on,
    employee_band_case,
    first_customer_day,
)
from lifecycle.lib.dates import quarter_of, quarter_start
from lifecycle.lib.display import month_label
from lifecycle.lib.numbers import money, ratio
from lifecycle.lib.spreadsheet import text_cell
from lifecycle.lib.sql import SQL, compiled, fetch_all, with_queries
from lifecycle.metrics.dashboard import headline_cards, read_as_months
from lifecycle.metrics.definitions import DEFINITIONS, customer_rates, revenue_rates
from lifecycle.metrics.periods import Period, buckets, chart_period
from lifecycle.metrics.queries import Segment, per_account

TYPES = ("voluntary", "involuntary", "unknown")
TYPE_LABELS = {
    CancelType.VOLUNTARY.value: CancelType.VOLUNTARY.label,
    CancelType.INVOLUNTARY.value: CancelType.INVOLUNTARY.label,
    "unknown": _("Unknown"),
}
NO_REASON = _("(no reason given)")
BREAKDOWNS = ("industry", "band", "cohort")
NO_MONEY = Decimal("0.00")


def churn_type(cancel_type: str) -> str:
    """The churn type of a typing subscription: anything but the two known types is unknown."""
    return cancel_type if cancel_type in CancelType.values else "unknown"


# --- churn events: one typing subscription per churned (account, period) -----------------


def _day_of_part(parts: list[Period], day: str) -> Case:
    """For a subscription that ended in one of `parts`, `day` ("day_before_start" or
    "last_day") of that part."""
    whens = [
        When(ended_on__gte=part.start, ended_on__lt=part.end, then=Value(getattr(part, day)))
        for part in parts
    ]
    return Case(*whens, output_field=DateField())


def _account_mrr_on(day: str) -> Coalesce:
    """MRR of the outer subscription's account at the close of the day annotated as `day`."""
    return account_mrr_on(OuterRef(day), account="account")


def churn_events(parts: list[Period], segment: Segment) -> QuerySet[Subscription]:
    """The subscription that types each churn of an account in one of the consecutive
    `parts`, annotated with `day_s`/`day_e` (the part's "at start"/"at end" days) and the
    account's MRR then (`mrr_s`, the churned MRR, and `mrr_e`, zero).

    Every account that churns in a part has a subscription ending in it (one that was active
    at start is not at end), so picking the last one per (account, part) finds them all."""
    ended = Subscription.objects.order_by().filter(
        ended_on__gte=parts[0].start, ended_on__lt=parts[-1].end
    )
    if segment.filters_accounts or segment.cohort_month is not None:
        ended = ended.filter(account__in=segment.measured_accounts())
    ended = ended.annotate(
        day_s=_day_of_part(parts, "day_before_start"), day_e=_day_of_part(parts, "last_day")
    )
    # The order of `_churn_type`: latest end, then larger MRR, then larger id.
    same_end_larger = Q(ended_on=OuterRef("ended_on")) & (
        Q(mrr__gt=OuterRef("mrr")) | Q(mrr=OuterRef("mrr"), pk__gt=OuterRef("pk"))
    )
    later = Q(ended_on__gt=OuterRef("ended_on")) | same_end_larger
    ends_later_in_part = Subscription.objects.filter(
        later,
        account=OuterRef("account"),
        ended_on__gt=OuterRef("day_s"),
        ended_on__lte=OuterRef("day_e"),
    )
    return (
        ended.filter(~Exists(ends_later_in_part))
        .annotate(mrr_s=_account_mrr_on("day_s"), mrr_e=_account_mrr_on("day_e"))
        .filter(mrr_s__gt=0, mrr_e__lte=0)
    )


def type_series(period: Period, segment: Segment) -> list[dict[str, Any]]:
    """Churned customers and MRR by churn type, month by month over `period`, in one query:
    bucket for bucket the `churned_customers_*` and `churned_mrr_*` of `period_metrics`."""
    parts = buckets(period, "month")
    grouped = (
        churn_events(parts, segment)
        .values("day_s", "cancel_type")
        .annotate(customers=Count("pk"), mrr=Sum("mrr_s"))
        .order_by()
    )
    totals: dict[tuple[dt.date, str], list[Any]] = {}
    for row in grouped:
        found = totals.setdefault((row["day_s"], churn_type(row["cancel_type"])), [0, NO_MONEY])
        found[0] += row["customers"]
        found[1] += row["mrr"]
    series = []
    for part in parts:
        row: dict[str, Any] = {"start": part.start.isoformat(), "end": part.end.isoformat()}
        for kind in TYPES:
            customers, mrr = totals.get((part.day_before_start, kind), (0, NO_MONEY))
            row[f"churned_customers_{kind}"] = customers
            row[f"churned_mrr_{kind}"] = money(mrr)
        row["churned_customers"] = sum(row[f"churned_customers_{kind}"] for kind in TYPES)
        row["churned_mrr"] = money(sum(Decimal(row[f"churned_mrr_{kind}"]) for kind in TYPES))
        series.append(row)
    return series


def churns_by_month(period: Period, segment: Segment) -> QuerySet[Subscription]:
    """Each churn of the period month by month: the reading of the summed movements
    (docs/metrics.md), so an account that joined and left within the period is in, and one
    that left twice is in twice. For one month it is the period's own churn."""
    return churn_events(buckets(period, "month"), segment)


def by_reason(period: Period, segment: Segment) -> list[dict[str, Any]]:
    """Churned customers and MRR lost by the reason of the typing subscription, the largest
    loss first, month by month."""
    grouped = (
        churns_by_month(period, segment)
        .annotate(reason=Trim("cancel_reason"))
        .values("reason")
        .annotate(customers=Count("pk"), mrr=Sum("mrr_s"))
        .order_by("-mrr", "-customers", "reason")
    )
    return [
        {
            "reason": row["reason"],
            "label": row["reason"] or NO_REASON,
            "churned_customers": row["customers"],
            "churned_mrr": money(row["mrr"]),
        }
        for row in grouped
    ]


def churned_accounts(period: Period, segment: Segment) -> QuerySet[Subscription]:
    """The typing subscription of each churn in the period, month by month, with its account,
    owner and first customer day (to mark the accounts that joined in the period); the
    largest loss first."""
    return (
        churns_by_month(period, segment)
        .annotate(first_day=first_customer_day("account"))
        .select_related("account", "account__owner")
        .order_by("-mrr_s", "-ended_on", "account__name", "account_id")
    )


def account_row(event: Subscription, period: Period) -> dict[str, Any]:
    """One churned account as the list and its CSV show it."""
    kind = churn_type(event.cancel_type)
    return {
        "account": event.account,
        "churned_on": event.ended_on,
        "type": kind,
        "type_label": TYPE_LABELS[kind],
        "reason": event.cancel_reason.strip(),
        "churned_mrr": money(event.mrr_s),
        "joined_in_period": event.first_day is not None and event.first_day >= period.start,
    }


def type_split_by_month(period: Period, segment: Segment) -> list[dict[str, Any]]:
    """The period's churned customers and MRR by type, month by month, with each type's share
    of the MRR: what the bars of the type chart add up to."""
    found = {kind: [0, NO_MONEY] for kind in TYPES}
    grouped = (
        churns_by_month(period, segment)
        .values("cancel_type")
        .annotate(customers=Count("pk"), mrr=Sum("mrr_s"))
        .order_by()
    )
    for row in grouped:
        totals = found[churn_type(row["cancel_type"])]
        totals[0] += row["customers"]
        totals[1] += row["mrr"]
    total = sum((mrr for _count, mrr in found.values()), NO_MONEY)
    return [
        {
            "type": kind,
            "label": TYPE_LABELS[kind],
            "churned_customers": found[kind][0],
            "churned_mrr": money(found[kind][1]),
            "share": ratio(Decimal(found[kind][1]), total),
        }
        for kind in TYPES
    ]


# --- churn and retention by segment ------------------------------------------------------
#
# Counting customers needs each account's MRR at both ends first, so a breakdown is two
# levels of aggregation: the one-scan per-account rows of `period_metrics`, each with its
# industry, employee band and cohort quarter, then one GROUP BY per dimension over those
# rows, all in one statement. Side-by-side filtered sums (one set per segment value) were
# about twice as slow at 100,000 accounts, and correlated MRR subqueries ten times.

BREAKDOWN_COUNTS = ("customers_start", "retained_customers", "churned_customers")
BREAKDOWN_MRR = ("mrr_start", "churned_mrr", "expansion_mrr", "contraction_mrr")
_BAND_ORDER = {key: i for i, (key, _label, _low, _high) in enumerate(EMPLOYEE_BANDS)}


def _cohort_quarter() -> Cast:
    """The quarter of the first customer day as year * 10 + quarter."""
    key = ExtractYear("first_day") * 10 + ExtractQuarter("first_day")
    return Cast(key, IntegerField())


_DIMENSIONS = {
    "industry": lambda: F("account__industry"),
    "band": lambda: employee_band_case("account__employees"),
    "cohort": _cohort_quarter,
}
# Over one account's MRR at start (mrr_s) and end (mrr_e); only customers at start count.
_GROUP_SUMS = """
    SUM(CASE WHEN mrr_e > 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN mrr_e > 0 THEN 0 ELSE 1 END),
    SUM(mrr_s),
    SUM(CASE WHEN mrr_e > 0 THEN 0 ELSE mrr_s END),
    SUM(CASE WHEN mrr_e > mrr_s THEN mrr_e - mrr_s ELSE 0 END),
    SUM(CASE WHEN mrr_e > 0 AND mrr_s > mrr_e THEN mrr_s - mrr_e ELSE 0 END)
"""
# One dimension's groups over the `accounts` rows: its name, its value as text or as a
# number (each select of the UNION ALL has both columns), the count and the sums. Built
# once from these literals: no value or compiled queryset is ever formatted into SQL.
_SELECT_GROUP = {
    name: SQL(
        f"SELECT '{name}', {text}, {number}, COUNT(*), {_GROUP_SUMS}"
        f" FROM accounts WHERE mrr_s > 0 GROUP BY {name}"
    )
    for name, text, number in (
        ("industry", "industry", "CAST(NULL AS INTEGER)"),
        ("band", "band", "CAST(NULL AS INTEGER)"),
        ("cohort", "CAST(NULL AS VARCHAR(1))", "cohort"),
    )
}


def breakdowns(period: Period, segment: Segment, by: tuple[str, ...]) -> dict[str, list]:
    """Churn and retention of the customers at start by industry, employee band and/or
    cohort quarter (of the first customer day), in one query; each table the highest
    customer churn rate first."""
    rows = per_account(segment, mrr_s=period.day_before_start, mrr_e=period.last_day)
    rows = rows.annotate(**{name: _DIMENSIONS[name]() for name in by})
    groups = SQL(" UNION ALL ").join(_SELECT_GROUP[name] for name in by)
    found = fetch_all(with_queries([("accounts", compiled(rows))], groups))
    tables: dict[str, list] = {name: [] for name in by}
    for name, text, number, *sums in found:
        value = _cohort_start(number) if name == "cohort" else text
        totals = dict(zip(_SUM_KEYS, sums, strict=True))
        tables[name].append(_breakdown_row(name, value, totals))
    return {name: _ranked(name, table) for name, table in tables.items()}


def breakdown(period: Period, segment: Segment, by: str) -> list[dict[str, Any]]:
    """One table of `breakdowns`."""
    return breakdowns(period, segment, (by,))[by]


def _cohort_start(key: int) -> dt.date:
    """The first day of the quarter `_cohort_quarter` keys as year * 10 + quarter."""
    return quarter_start(*divmod(int(key), 10))


def _ranked(by: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row's share of the churned MRR; the rows in the order `_by_churn_rate` gives,
    ties in the natural order of the dimension (names, bands small to large, quarters)."""
    churned = sum(Decimal(row["churned_mrr"]) for row in rows)
    for row in rows:
        row["share_of_churned_mrr"] = ratio(Decimal(row["churned_mrr"]), churned)
        row["order"] = _BAND_ORDER.get(row["key"], len(_BAND_ORDER)) if by == "band" else row["key"]
    return sorted(rows, key=_by_churn_rate)


_SUM_KEYS = BREAKDOWN_COUNTS + BREAKDOWN_MRR


def _label(by: str, value: Any) -> str:
    if by == "industry":
        return value or str(_("(no industry)"))
    if by == "band":
        return str(dict(EMPLOYEE_BAND_CHOICES).get(value, _("(unknown size)")))
    quarter = {"year": value.year, "quarter": quarter_of(value)}
    return str(_("%(year)s Q%(quarter)s") % quarter)


def _csv_key(by: str, value: Any) -> str:
    if by == "cohort":
        return f"{value.year}-Q{quarter_of(value)}"
    return value


def _breakdown_row(by: str, value: Any, sums: dict[str, Any]) -> dict[str, Any]:
    counts = {key: int(sums[key]) for key in BREAKDOWN_COUNTS}
    # SQLite sums decimals as floating point: back to cents.
    mrr = {key: Decimal(money(sums[key])) for key in BREAKDOWN_MRR}
    # GRR and NRR do not depend on new or reactivation MRR; the other rates are not shown.
    rates = revenue_rates({**mrr, "new_mrr": NO_MONEY, "reactivation_mrr": NO_MONEY})
    return {
        "key": _csv_key(by, value),
        "label": _label(by, value),
        **counts,
        "customer_churn_rate": customer_rates(counts)["customer_churn_rate"],
        **{key: money(amount) for key, amount in mrr.items()},
        "gross_revenue_retention": rates["gross_revenue_retention"],
        "net_revenue_retention": rates["net_revenue_retention"],
    }


def _by_churn_rate(row: dict[str, Any]) -> tuple:
    """Highest churn rate first; among equals the larger loss, then the natural order."""
    rate = row["customer_churn_rate"]
    return (rate is None, -(rate or 0), -Decimal(row["churned_mrr"]), row["order"])


# --- the page ------------------------------------------------------------------------

CARDS = [  # less churn is good
    ("churned_customers", "count", False),
    ("churned_mrr", "money", False),
    ("customer_churn_rate", "rate", False),
    ("revenue_churn_rate", "rate", False),
]
CHART_REASONS = 12  # the chart shows the largest; the table lists every reason


def headline(period: Period, segment: Segment) -> dict[str, Any]:
    """The period's churn numbers with their change against the previous period: the churned
    customers and MRR as the sum of the months, the rates over the customers at start."""
    return headline_cards(period, segment, read_as_months(period, CARDS))


def chart_json(series: list[dict[str, Any]], reasons: list[dict[str, Any]]) -> dict[str, Any]:
    """What static/js/churn.js draws, embedded with json_script."""
    shown = reasons[:CHART_REASONS]
    return {
        "labels": [month_label(row["start"]) for row in series],
        "types": [
            {
                "key": kind,
                "label": str(TYPE_LABELS[kind]),
                "mrr": [row[f"churned_mrr_{kind}"] for row in series],
                "customers": [row[f"churned_customers_{kind}"] for row in series],
            }
            for kind in TYPES
        ],
        "reasons": {
            "labels": [str(row["label"]) for row in shown],
            "mrr": [row["churned_mrr"] for row in shown],
            "customers": [row["churned_customers"] for row in shown],
        },
        "names": {
            "mrr": str(DEFINITIONS["churned_mrr"][0]),
            "customers": str(DEFINITIONS["churned_customers"][0]),
        },
    }


def mark_concentration(rows: list[dict[str, Any]], overall: float | None) -> None:
    """Flag the segments whose customer churn rate is above the overall one."""
    for row in rows:
        rate = row["customer_churn_rate"]
        row["above_overall"] = bool(row["churned_customers"] and overall is not None) and (
            rate is not None and rate > overall
        )


def dashboard(period: Period, segment: Segment) -> dict[str, Any]:
    """Everything the churn page shows but the paginated list of churned accounts."""
    top = headline(period, segment)
    shown = chart_period(period)
    series = type_series(shown, segment)
    reasons = by_reason(period, segment)
    tables = breakdowns(period, segment, BREAKDOWNS)
    for rows in tables.values():
        mark_concentration(rows, top["metrics"]["customer_churn_rate"])
    return {
        **top,
        "types": type_split_by_month(period, segment),
        "chart_period": shown,
        "series": series,
        "reasons": reasons,
        "breakdowns": tables,
        "chart": chart_json(series, reasons),
    }


# --- CSV downloads --------------------------------------------------------------------

BREAKDOWN_FIELDS = [
    "segment",
    "customers_start",
    "churned_customers",
    "customer_churn_rate",
    "mrr_start",
    "churned_mrr",
    "share_of_churned_mrr",
    "gross_revenue_retention",
    "net_revenue_retention",
]
CSV_FIELDS = {
    "series": [
        "start",
        "end",
        "churned_customers",
        "churned_mrr",
        *[f"churned_customers_{kind}" for kind in TYPES],
        *[f"churned_mrr_{kind}" for kind in TYPES],
    ],
    "reasons": ["reason", "churned_customers", "churned_mrr"],
    "industry": BREAKDOWN_FIELDS,
    "band": BREAKDOWN_FIELDS,
    "cohort": BREAKDOWN_FIELDS,
    "accounts": [
        "account_id",
        "account",
        "industry",
        "owner",
        "churned_on",
        "type",
        "reason",
        "churned_mrr",
        "joined_in_period",
    ],
}


def csv_table(table: str, period: Period, segment: Segment) -> list[dict[str, Any]]:
    """The rows of one table of the page (`CSV_FIELDS` names the columns)."""
    if table == "series":
        return type_series(chart_period(period), segment)
    if table == "reasons":
        return [{**row, "reason": text_cell(row["reason"])} for row in by_reason(period, segment)]
    if table in BREAKDOWNS:
        return [
            {**row, "segment": text_cell(row["key"])} for row in breakdown(period, segment, table)
        ]
    return [_account_csv_row(event, period) for event in churned_accounts(period, segment)]


def _account_csv_row(event: Subscription, period: Period) -> dict[str, Any]:
    row = account_row(event, period)
    account = row["account"]
    return {
        "account_id": account.pk,
        "account": text_cell(account.name),
        "industry": text_cell(account.industry),
        "owner": text_cell(account.owner_name),
        "churned_on": row["churned_on"].isoformat(),
        "type": row["type"],
        "reason": text_cell(row["reason"]),
        "churned_mrr": row["churned_mrr"],
        "joined_in_period": row["joined_in_period"],
    }
