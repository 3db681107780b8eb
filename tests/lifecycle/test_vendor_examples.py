"""Worked examples published by the vendors who popularised these metrics, replayed as
subscription histories against `period_metrics` (and the NPS formula).

Each test names its source: vendor, page title and URL, as found in their public docs. Where a
vendor's formula differs from docs/metrics.md the test asserts the docs/metrics.md number and
says in one comment why; docs/metrics.md decides (where a formula in the marketing literature is
ambiguous or wrong, that page settles it). Where a vendor publishes a formula but no numbers, the
test says whose numbers it borrows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lifecycle.metrics.periods import Period
from lifecycle.metrics.queries import period_metrics
from surveys.scoring import nps
from tests.factories import AccountFactory, SubscriptionFactory

D = dt.date
LONG_AGO = D(2023, 6, 1)
MARCH_2024 = Period(D(2024, 3, 1), D(2024, 4, 1))


def sub(account, mrr, start, end=None, cancel_type=""):
    return SubscriptionFactory(
        account=account,
        mrr=Decimal(mrr),
        started_on=start,
        ended_on=end,
        cancel_type=cancel_type if end else "",
    )


def chartmogul_hundred_dollar_month():
    """ChartMogul's MRR churn example: $100 MRR at the start of the month; during March $10 is
    lost to churn, $10 to contraction, and one customer increases their MRR by $10."""
    churner, downgrader, upgrader, steady = (AccountFactory() for _ in range(4))
    sub(churner, "10", LONG_AGO, D(2024, 3, 20), "voluntary")
    sub(downgrader, "20", LONG_AGO, D(2024, 3, 15))
    sub(downgrader, "10", D(2024, 3, 15))
    sub(upgrader, "30", LONG_AGO)
    sub(upgrader, "10", D(2024, 3, 10))  # an add-on: +$10
    sub(steady, "40", LONG_AGO)


@pytest.mark.django_db
def test_chartmogul_lifecycle_of_a_customer_syncalytics_movements():
    """ChartMogul Help Center, "Lifecycle of a customer" (the Syncalytics walk-through of MRR
    movements), https://help.chartmogul.com/hc/en-us/articles/201244842 — with the movement
    definitions of "Data Table and MRR Movements",
    https://help.chartmogul.com/hc/en-us/articles/203299912.

    New Business $166.67 (4 Gold yearly = $2,000 / 12), Expansion $60 (2 Silver monthly added a
    few days later), Contraction $60 (Silver cancelled two weeks later), Churn $166.67 at the end
    of the paid year, Reactivation when they re-subscribe to 3 Gold monthly plans (3 x $50; the
    page's plan table gives Gold monthly = $50). The dates are ours, chosen to fit the story."""
    syncalytics = AccountFactory(name="Syncalytics")
    sub(syncalytics, "166.67", D(2024, 1, 1), D(2025, 1, 1), "voluntary")
    sub(syncalytics, "60", D(2024, 1, 4), D(2024, 1, 18), "voluntary")
    sub(syncalytics, "150", D(2025, 3, 1))

    signed_up = period_metrics(Period(D(2024, 1, 1), D(2024, 1, 4)))
    assert (signed_up["new_customers"], signed_up["new_mrr"]) == (1, "166.67")

    added_silver = period_metrics(Period(D(2024, 1, 4), D(2024, 1, 18)))
    assert added_silver["expansion_mrr"] == "60.00"
    assert added_silver["churned_customers"] == 0

    dropped_silver = period_metrics(Period(D(2024, 1, 18), D(2024, 2, 1)))
    assert dropped_silver["contraction_mrr"] == "60.00"
    assert dropped_silver["churned_customers"] == 0  # another subscription is still active

    # ChartMogul lists +$60 and -$60 in January's chart data; docs/metrics.md measures movements
    # between the two ends of the period, so inside one month they cancel out (docs/metrics.md).
    january = period_metrics(Period(D(2024, 1, 1), D(2024, 2, 1)))
    assert (january["new_mrr"], january["expansion_mrr"], january["contraction_mrr"]) == (
        "166.67",
        "0.00",
        "0.00",
    )

    # Churn is reported at the end of the paid year: ended_on is the first day without service.
    assert period_metrics(Period(D(2024, 12, 1), D(2025, 1, 1)))["churned_customers"] == 0
    churned = period_metrics(Period(D(2025, 1, 1), D(2025, 2, 1)))
    assert (churned["churned_customers"], churned["churned_mrr"]) == (1, "166.67")

    back = period_metrics(Period(D(2025, 3, 1), D(2025, 4, 1)))
    assert (back["reactivated_customers"], back["reactivation_mrr"]) == (1, "150.00")
    assert (back["new_customers"], back["new_mrr"]) == (0, "0.00")


@pytest.mark.django_db
def test_chartmogul_gross_and_net_mrr_churn_rate_example():
    """ChartMogul Help Center, "Metric: MRR Churn Rate",
    https://help.chartmogul.com/hc/en-us/articles/203359341-Metric-MRR-Churn-Rate, and
    "Chart: Net MRR Churn Rate",
    https://help.chartmogul.com/hc/en-us/articles/4414075567250-Chart-Net-MRR-Churn-Rate:
    $100 MRR at the start, $10 churn, $10 contraction, one customer +$10 →
    Gross MRR churn rate 20%, Net MRR churn rate 10% (Standard/B2B formula)."""
    chartmogul_hundred_dollar_month()

    m = period_metrics(MARCH_2024)

    assert m["mrr_start"] == "100.00"
    assert (m["churned_mrr"], m["contraction_mrr"], m["expansion_mrr"]) == (
        "10.00",
        "10.00",
        "10.00",
    )
    assert m["revenue_churn_rate"] == pytest.approx(0.20)  # ChartMogul: gross MRR churn 20%
    assert m["net_revenue_churn_rate"] == pytest.approx(0.10)  # ChartMogul: net MRR churn 10%
    assert m["gross_revenue_retention"] == pytest.approx(0.80)
    assert m["net_revenue_retention"] == pytest.approx(0.90)

    # A former customer comes back with $10. ChartMogul's net formula also subtracts
    # Reactivation MRR ((10+10) - (10+10)) / 100 = 0%; docs/metrics.md offsets expansion of the
    # starting customers only (a returning customer is not revenue the start base kept), so 10%.
    returning = AccountFactory()
    sub(returning, "25", D(2022, 1, 1), D(2023, 1, 1), "involuntary")
    sub(returning, "10", D(2024, 3, 25))

    m = period_metrics(MARCH_2024)

    assert m["reactivation_mrr"] == "10.00"
    assert m["net_revenue_churn_rate"] == pytest.approx(0.10)


@pytest.mark.django_db
def test_chartmogul_customer_churn_rate_examples():
    """ChartMogul Help Center, "Metric: Customer Churn rate",
    https://help.chartmogul.com/hc/en-us/articles/203359321-Metric-Customer-Churn-rate:
    100 customers at the start of the month, 11 cancel, one of whom signed up that same month
    and is excluded → 10 / 100 = 10%.

    Then "Churn rate formulas",
    https://help.chartmogul.com/hc/en-us/articles/207340419-Churn-rate-formulas: 100 customers,
    12 churned during the month, one of whom reactivated and one of whom joined during the
    period; the page's formula excludes both ("customers who both joined & churned in the
    period or churned & reactivated in a period"). The page's own result is cut off in the copy
    we found; 10% is what its stated formula gives."""
    start_customers = [AccountFactory() for _ in range(100)]
    for account in start_customers:
        sub(account, "50", LONG_AGO)
    for day, account in enumerate(start_customers[:10], start=5):
        account.subscriptions.update(ended_on=D(2024, 3, day), cancel_type="voluntary")
    sub(AccountFactory(), "50", D(2024, 3, 3), D(2024, 3, 20), "voluntary")  # joined & left

    m = period_metrics(MARCH_2024)

    assert (m["customers_start"], m["churned_customers"], m["customers_end"]) == (100, 10, 90)
    assert m["customer_churn_rate"] == pytest.approx(0.10)
    assert (m["acquired_customers"], m["new_customers"]) == (1, 0)
    # Baremetrics' "Churn Update" (https://changelog.baremetrics.com/churn-update-4pqo9O) counts
    # customers who sign up and cancel in the same window, i.e. 11 / 100 = 11%; we count
    # only |A_S \ A_E| (the customer was never a customer at the start), as ChartMogul does.

    # The second page's case: one more starting customer leaves and comes back in the month.
    comeback = start_customers[10]
    comeback.subscriptions.update(ended_on=D(2024, 3, 12), cancel_type="voluntary")
    sub(comeback, "50", D(2024, 3, 22))

    m = period_metrics(MARCH_2024)

    assert (m["churned_customers"], m["retained_customers"], m["reactivated_customers"]) == (
        10,
        90,
        0,
    )
    assert m["customer_churn_rate"] == pytest.approx(0.10)


@pytest.mark.django_db
def test_baremetrics_revenue_churn_net_revenue_churn_and_nrr_formulas():
    """Baremetrics publishes formulas without worked numbers; we apply them to ChartMogul's
    published $100 example (see `chartmogul_hundred_dollar_month`) over a 30-day window, since
    Baremetrics measures "the last 30 days" against "MRR 30 days ago".

    - "User and Revenue Churn", https://help.baremetrics.com/en/articles/5380347-user-and-revenue-churn:
      revenue churn = MRR lost to downgrades & cancellations ÷ MRR 30 days ago → 20%.
    - "Net MRR Churn" (Baremetrics updates), https://updates.baremetrics.com/:
      (Churned MRR - Expansion MRR) ÷ Starting MRR 30 days ago, churn including downgrades → 10%.
    - "NEW METRIC: Net Revenue Retention",
      https://changelog.baremetrics.com/new-metric-net-revenue-retention-2BOJIA:
      NRR = 100% - (Churned MRR - Expansion MRR) ÷ Starting MRR → 90%."""
    chartmogul_hundred_dollar_month()

    m = period_metrics(Period(D(2024, 3, 1), D(2024, 3, 31)))  # 30 days

    assert m["revenue_churn_rate"] == pytest.approx(0.20)
    assert m["net_revenue_churn_rate"] == pytest.approx(0.10)
    assert m["net_revenue_retention"] == pytest.approx(0.90)
    assert m["net_revenue_retention"] == pytest.approx(1 - m["net_revenue_churn_rate"])


@pytest.mark.django_db
def test_baremetrics_quick_ratio():
    """Baremetrics changelog, "New Quick Ratio Metric",
    https://changelog.baremetrics.com/?cursor=4rvQF0AhrFScF:
    Quick Ratio = (New MRR + Expansion MRR) / (Contraction MRR + Churned MRR).
    Baremetrics gives no numbers; these are the worked example of PitchKit's glossary,
    "Quick ratio", https://pitchkit.net/resources/glossary/quick-ratio:
    New $20k, Expansion $8k, Churn $5k, Contraction $3k → (20+8)/(5+3) = 3.5."""
    leaver, downgrader, upgrader = (AccountFactory() for _ in range(3))
    sub(leaver, "5000", LONG_AGO, D(2024, 4, 10), "voluntary")
    sub(downgrader, "10000", LONG_AGO, D(2024, 4, 12))
    sub(downgrader, "7000", D(2024, 4, 12))
    sub(upgrader, "10000", LONG_AGO, D(2024, 4, 8))
    sub(upgrader, "18000", D(2024, 4, 8))
    sub(AccountFactory(), "20000", D(2024, 4, 15))
    april = Period(D(2024, 4, 1), D(2024, 5, 1))

    m = period_metrics(april)

    assert (m["new_mrr"], m["expansion_mrr"]) == ("20000.00", "8000.00")
    assert (m["churned_mrr"], m["contraction_mrr"]) == ("5000.00", "3000.00")
    assert m["quick_ratio"] == pytest.approx(3.5)

    # A former customer returns with $4k. Baremetrics' formula leaves Reactivation MRR out
    # (still 3.5); docs/metrics.md counts it as gained revenue: (20+4+8)/(5+3) = 4.0.
    returning = AccountFactory()
    sub(returning, "4000", D(2022, 1, 1), D(2023, 1, 1), "involuntary")
    sub(returning, "4000", D(2024, 4, 20))

    assert period_metrics(april)["quick_ratio"] == pytest.approx(4.0)


@pytest.mark.django_db
def test_profitwell_churn_counts_when_the_paid_period_ends_not_when_the_customer_cancels():
    """ProfitWell (Paddle) help, "Churn",
    https://paddle.com/help/profitwell-metrics/measure/subscription-retention/churn:
    Sarah signs up for a $10 plan on April 15th, decides to cancel on June 8th, and officially
    churns on June 15th, when $10 is subtracted from MRR. (The year is ours.)"""
    sarah = AccountFactory(name="Sarah")
    sub(sarah, "10", D(2024, 4, 15), D(2024, 6, 15), "voluntary")  # paid through June 14th

    april = period_metrics(Period(D(2024, 4, 1), D(2024, 5, 1)))
    assert (april["new_customers"], april["new_mrr"]) == (1, "10.00")

    cancel_day = period_metrics(Period(D(2024, 6, 8), D(2024, 6, 9)))
    assert (cancel_day["churned_customers"], cancel_day["customers_end"]) == (0, 1)

    first_half = period_metrics(Period(D(2024, 6, 1), D(2024, 6, 15)))
    assert (first_half["churned_customers"], first_half["mrr_end"]) == (0, "10.00")

    june = period_metrics(Period(D(2024, 6, 1), D(2024, 7, 1)))
    assert (june["churned_customers"], june["churned_mrr"]) == (1, "10.00")
    assert june["churned_mrr_voluntary"] == "10.00"


@pytest.mark.django_db
def test_profitwell_cancellations_in_the_first_month_are_not_churn():
    """ProfitWell (Paddle) help, "Are cancellations in the first month counted as churn?",
    https://www.paddle.com/help/profitwell-metrics/measure/subscription-retention/are-cancellations-in-the-first-month-counted-as-churn:
    a user pays $100 on 12/5 and churns on 12/6; the $100 shows as new revenue on 12/5, is
    deducted from new revenue on 12/6, and churned revenue / churned customers never change.
    (The year is ours.)"""
    sub(AccountFactory(), "100", D(2023, 12, 5), D(2023, 12, 6), "voluntary")

    december = period_metrics(Period(D(2023, 12, 1), D(2024, 1, 1)))
    assert (december["new_customers"], december["new_mrr"]) == (0, "0.00")
    assert (december["churned_customers"], december["churned_mrr"]) == (0, "0.00")
    assert december["acquired_customers"] == 1  # docs/metrics.md still records the acquisition

    dec_5 = period_metrics(Period(D(2023, 12, 5), D(2023, 12, 6)))
    assert (dec_5["new_customers"], dec_5["new_mrr"]) == (1, "100.00")

    # ProfitWell reclassifies within its calendar month; docs/metrics.md has no such rule: in a
    # one-day period starting 12/6 the account was a customer at the start, so that day churns.
    dec_6 = period_metrics(Period(D(2023, 12, 6), D(2023, 12, 7)))
    assert (dec_6["churned_customers"], dec_6["churned_mrr"]) == (1, "100.00")


@pytest.mark.django_db
def test_gainsight_headwind_tailwind_and_net_revenue_retention():
    """Gainsight glossary, "Calculating Churn Rate",
    https://www.gainsight.com/glossary/churn-rate-calculation/ publishes formulas, no numbers
    (we found no Gainsight GRR-vs-NRR worked example); applied to ChartMogul's $100 example:
    Headwind = (churned + decreases) / beginning MRR = 20%; Tailwind = (up-sell + price
    increases) / beginning MRR = 10%; NRR = (beginning + up-sell - churn - decreases) /
    beginning = 90%."""
    chartmogul_hundred_dollar_month()

    m = period_metrics(MARCH_2024)
    start = Decimal(m["mrr_start"])
    tailwind = float(Decimal(m["expansion_mrr"]) / start)

    assert m["revenue_churn_rate"] == pytest.approx(0.20)  # Headwind
    assert tailwind == pytest.approx(0.10)
    assert m["net_revenue_retention"] == pytest.approx(0.90)
    assert m["net_revenue_retention"] == pytest.approx(1 - m["revenue_churn_rate"] + tailwind)
    # Gainsight's "Accelerate Success In The Subscription Economy" glossary page says customer
    # churn rate should include price reductions and up-sells; we keep customer churn a
    # count (1 of 4 accounts left) and put dollars in the revenue rates (docs/metrics.md).
    assert m["customer_churn_rate"] == pytest.approx(0.25)


def test_delighted_nps_example():
    """Delighted Help Center, "NPS Surveys", https://help.delighted.com/article/531-nps-surveys:
    10 promoters (50%), 5 passives (25%), 5 detractors (25%) → 50 - 25 = 25."""
    assert nps(promoters=10, detractors=5, responses=20) == 25.0
    # Delighted rounds NPS to a whole number; docs/metrics.md rounds to one decimal (docs/metrics.md
    # decides), e.g. 1 promoter in 3 responses is 33.3 here where Delighted would show 33.
    assert nps(promoters=1, detractors=0, responses=3) == 33.3
    assert nps(promoters=0, detractors=0, responses=0) is None
