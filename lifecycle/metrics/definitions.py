"""The formulas of docs/metrics.md over already-aggregated totals: pure, no database.

Rates are fractions; a rate whose denominator is zero is None; money is a string with two
decimal places; NPS is -100..100 rounded to one decimal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lifecycle.lib.numbers import mean, money, ratio
from surveys.scoring import nps


def survey_results(totals: dict[str, int | None]) -> dict[str, Any]:
    """The survey keys of docs/metrics.md from the counts and score sums of one period."""
    nps_responses, csat_responses = totals["nps_responses"], totals["csat_responses"]
    return {
        "nps": nps(totals["promoters"], totals["detractors"], nps_responses),
        "nps_responses": nps_responses,
        "promoters": totals["promoters"],
        "passives": totals["passives"],
        "detractors": totals["detractors"],
        "csat": ratio(totals["csat_satisfied"], csat_responses),
        "csat_responses": csat_responses,
        "csat_average": mean(totals["csat_score_sum"], csat_responses),
        "ces_average": mean(totals["ces_score_sum"], totals["ces_responses"]),
        "ces_responses": totals["ces_responses"],
    }


def customer_rates(counts: dict[str, int]) -> dict[str, float | None]:
    start = counts["customers_start"]
    return {
        "customer_retention_rate": ratio(counts["retained_customers"], start),
        "customer_churn_rate": ratio(counts["churned_customers"], start),
    }


def revenue_rates(mrr: dict[str, Decimal]) -> dict[str, float | None]:
    start = mrr["mrr_start"]
    gained = mrr["new_mrr"] + mrr["reactivation_mrr"] + mrr["expansion_mrr"]
    lost = mrr["contraction_mrr"] + mrr["churned_mrr"]
    return {
        "gross_revenue_retention": ratio(start - lost, start),
        "net_revenue_retention": ratio(start + mrr["expansion_mrr"] - lost, start),
        "revenue_churn_rate": ratio(lost, start),
        "net_revenue_churn_rate": ratio(lost - mrr["expansion_mrr"], start),
        "expansion_share": ratio(mrr["expansion_mrr"], gained),
        "quick_ratio": ratio(gained, lost),
    }


UNIT_KEYS = frozenset({"arr", "arpa", "monthly_revenue_churn_rate", "customer_lifetime_value"})


def unit_economics(metrics: dict[str, Any]) -> dict[str, Any]:
    """ARR, ARPA and customer lifetime value from the period's `mrr_end`, `customers_end` and
    `monthly_revenue_churn_rate` (docs/metrics.md, "Unit economics")."""
    mrr_end = Decimal(metrics["mrr_end"])
    customers = metrics["customers_end"]
    arpa = mrr_end / customers if customers else None
    churn = metrics["monthly_revenue_churn_rate"]
    return {
        "arr": money(mrr_end * 12),
        "arpa": money(arpa) if arpa is not None else None,
        "customer_lifetime_value": (
            money(arpa / Decimal(str(churn))) if arpa is not None and churn else None
        ),
    }


def present(counts: dict[str, int], mrr: dict[str, Decimal]) -> dict[str, Any]:
    """The customer and revenue keys of docs/metrics.md, in the output conventions."""
    return {
        **counts,
        **customer_rates(counts),
        **{key: money(value) for key, value in mrr.items()},
        **revenue_rates(mrr),
    }


# What each key means, shown next to every number (users distrust what they cannot trace).
DEFINITIONS = {
    "customers_end": (
        _("Customers"),
        _("Accounts with MRR above zero at the close of the period's last day."),
    ),
    "new_customers": (
        _("New customers"),
        _(
            "Accounts that are customers at the end, were not at the start, and had their "
            "first customer day in the period."
        ),
    ),
    "mrr_end": (
        _("MRR"),
        _("Sum of the MRR of subscriptions active at the close of the period's last day."),
    ),
    "customer_retention_rate": (
        _("Customer retention"),
        _("Customers at both start and end ÷ customers at start."),
    ),
    "customer_churn_rate": (
        _("Customer churn"),
        _("Customers at start who are not customers at end ÷ customers at start."),
    ),
    "gross_revenue_retention": (
        _("Gross revenue retention (GRR)"),
        _("(MRR at start − contraction − churned MRR) ÷ MRR at start."),
    ),
    "net_revenue_retention": (
        _("Net revenue retention (NRR)"),
        _("(MRR at start + expansion − contraction − churned MRR) ÷ MRR at start."),
    ),
    "new_mrr": (
        _("New MRR"),
        _("MRR at end of accounts whose first customer day is in the period."),
    ),
    "expansion_mrr": (
        _("Expansion MRR"),
        _("Sum of MRR increases of customers at both start and end."),
    ),
    "reactivation_mrr": (
        _("Reactivation MRR"),
        _("MRR at end of former customers who came back in the period."),
    ),
    "contraction_mrr": (
        _("Contraction MRR"),
        _("Sum of MRR decreases of customers at both start and end."),
    ),
    "churned_mrr": (
        _("Churned MRR"),
        _("MRR at start of customers who are not customers at end."),
    ),
    "net_mrr": (
        _("Net MRR"),
        _("New + reactivation + expansion − contraction − churned MRR."),
    ),
    "quick_ratio": (
        _("Quick ratio"),
        _("(New + reactivation + expansion MRR) ÷ (contraction + churned MRR)."),
    ),
    # The same movements read as the sum of the period's months (docs/metrics.md).
    "summed_new_mrr": (
        _("New MRR (sum of the months)"),
        _(
            "Each month's new MRR, added up: what the monthly bars show. The cohort cards "
            "(retention, GRR, NRR) follow the customers the period started with instead."
        ),
    ),
    "summed_reactivation_mrr": (
        _("Reactivation MRR (sum of the months)"),
        _("Each month's reactivation MRR, added up: what the monthly bars show."),
    ),
    "summed_expansion_mrr": (
        _("Expansion MRR (sum of the months)"),
        _(
            "Each month's expansion MRR, added up: what the monthly bars show. An account "
            "that grows and shrinks within the period counts both ways."
        ),
    ),
    "summed_contraction_mrr": (
        _("Contraction MRR (sum of the months)"),
        _("Each month's contraction MRR, added up: what the monthly bars show."),
    ),
    "summed_churned_mrr": (
        _("Churned MRR (sum of the months)"),
        _(
            "Each month's churned MRR, added up, including accounts that joined and left "
            "within the period. Customer churn and GRR count only the customers at its start."
        ),
    ),
    "summed_new_customers": (
        _("New customers (sum of the months)"),
        _("Each month's new customers, added up."),
    ),
    "summed_reactivated_customers": (
        _("Reactivated customers (sum of the months)"),
        _("Each month's returning customers, added up."),
    ),
    "summed_churned_customers": (
        _("Churned customers (sum of the months)"),
        _("Each month's churned customers, added up; an account churning twice counts twice."),
    ),
    # Unit economics (docs/metrics.md): what a customer is worth, at the end of the period.
    "arr": (
        _("ARR"),
        _("Annual recurring revenue: 12 × MRR at the end of the period."),
    ),
    "arpa": (
        _("ARPA"),
        _("Average revenue per account: MRR at end ÷ customers at end."),
    ),
    "monthly_revenue_churn_rate": (
        _("Monthly revenue churn"),
        _(
            "(Contraction + churned MRR) ÷ MRR at start, month by month over the period: the "
            "sum of the months' losses ÷ the sum of their MRR at start."
        ),
    ),
    "customer_lifetime_value": (
        _("Customer lifetime value"),
        _(
            "ARPA ÷ monthly revenue churn: what an average account pays over its lifetime if "
            "revenue keeps leaving at this period's monthly rate. Before costs; “—” without "
            "churn."
        ),
    ),
    # Survey answers (docs/metrics.md, Surveys): counted by when they were submitted.
    "nps": (
        _("NPS (survey)"),
        _(
            "100 × (promoters, 9–10 − detractors, 0–6) ÷ NPS answers submitted in the period, "
            "from −100 to 100."
        ),
    ),
    "nps_responses": (
        _("NPS answers"),
        _("NPS survey answers submitted in the period; a contact answering twice counts twice."),
    ),
    "promoters": (_("Promoters"), _("NPS answers scoring 9 or 10.")),
    "passives": (_("Passives"), _("NPS answers scoring 7 or 8.")),
    "detractors": (_("Detractors"), _("NPS answers scoring 0 to 6.")),
    "csat": (
        _("CSAT (survey)"),
        _("CSAT answers scoring 4 or 5 ÷ CSAT answers submitted in the period."),
    ),
    "csat_responses": (
        _("CSAT answers"),
        _("CSAT survey answers submitted in the period."),
    ),
    "csat_average": (
        _("Average CSAT"),
        _("Mean score (1–5) of the CSAT answers submitted in the period."),
    ),
    "ces_average": (
        _("Average CES"),
        _("Mean score (1–7) of the CES answers submitted in the period."),
    ),
    "ces_responses": (_("CES answers"), _("CES survey answers submitted in the period.")),
    "survey_response_rate": (
        _("Survey response rate"),
        _(
            "Invitations whose email was sent in the period and that have an answer ÷ "
            "invitations whose email was sent in the period."
        ),
    ),
    "weighted_nps": (
        _("MRR-weighted NPS"),
        _(
            "NPS with each answer weighted by its account's MRR on the day of the answer: "
            "100 × (MRR of promoters − MRR of detractors) ÷ MRR of all answers."
        ),
    ),
    "nps_by_mrr_band": (
        _("NPS by MRR band"),
        _("The period's NPS answers grouped by their account's MRR on the day of the answer."),
    ),
    # Email engagement (docs/metrics.md): emails counted by when the mail server took them;
    # opens and clicks are people's, machines' apart.
    "emails_sent": (
        _("Emails sent"),
        _("Emails to contacts that the mail server accepted in the period, every campaign."),
    ),
    "unique_opens": (
        pgettext_lazy("email", "Opened"),
        _("Sent emails a person opened (loaded its images) or clicked; machines apart."),
    ),
    "unique_clicks": (
        pgettext_lazy("email", "Clicked"),
        _("Sent emails in which a person clicked a link; link scanners apart."),
    ),
    "open_rate": (
        _("Open rate"),
        _(
            "Opened ÷ emails sent. A weak signal: images are often off, and privacy proxies "
            "open everything (counted apart)."
        ),
    ),
    "click_rate": (_("Click rate"), _("Clicked ÷ emails sent.")),
    "click_to_open_rate": (_("Click-to-open rate"), _("Clicked ÷ opened.")),
    "emails_bounced": (
        _("Bounced"),
        _("Sent emails the provider reported as bounced (its tracking webhook)."),
    ),
    "bounce_rate": (_("Bounce rate"), _("Bounced ÷ emails sent.")),
    "unsubscribes": (
        _("Unsubscribes"),
        _("Sent emails whose unsubscribe link was used (one-click or the page)."),
    ),
    "unsubscribe_rate": (_("Unsubscribe rate"), _("Unsubscribes ÷ emails sent.")),
    # The churn dashboard's keys.
    "customers_start": (
        _("Customers at start"),
        _("Accounts with MRR above zero at the close of the day before the period."),
    ),
    "churned_customers": (
        _("Churned customers"),
        _("Customers at start who are not customers at end."),
    ),
    "revenue_churn_rate": (
        _("Revenue churn"),
        _("(Contraction + churned MRR) ÷ MRR at start, that is 1 − GRR."),
    ),
    "churn_type": (
        _("Churn type"),
        _(
            "A churned account takes the cancellation type of its subscription that ended "
            "last in the period (ties: the larger MRR); none recorded counts as unknown."
        ),
    ),
    "churn_reason": (
        _("Cancellation reason"),
        _(
            "The reason recorded on the subscription that gives the churn its type; MRR lost "
            "is the account's MRR at start."
        ),
    ),
    "churned_on": (
        _("Churn date"),
        _("The end (first day without service) of the subscription that gives the churn its type."),
    ),
    "share_of_churned_mrr": (
        _("Share of churned MRR"),
        _("Churned MRR of the segment ÷ churned MRR of all segments shown."),
    ),
}
