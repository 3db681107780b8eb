"""The nightly snapshot agrees with the live query, and filling it twice changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django_celery_beat.models import PeriodicTask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account, Subscription
from lifecycle.metrics.models import DailyTotal
from lifecycle.metrics.snapshots import fill_daily_totals
from lifecycle.metrics.tasks import fill_daily_totals_task
from tests.factories import AccountFactory, SubscriptionFactory

D = dt.date


def live(day: dt.date) -> tuple[int, Decimal]:
    customers = Account.objects.customers_on(day)
    return customers.count(), customers.aggregate(total=Sum("mrr"))["total"] or Decimal("0")


@pytest.mark.django_db
@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3),
            st.integers(0, 4),
            st.integers(0, 80),
            st.one_of(st.none(), st.integers(1, 50)),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_every_snapshot_day_equals_the_live_query(rows):
    Subscription.objects.all().delete()
    Account.objects.all().delete()
    accounts = [Account.objects.create(name=f"A{i}") for i in range(4)]
    for account, price, start, days in rows:
        begin = D(2024, 1, 1) + dt.timedelta(days=start)
        Subscription.objects.create(
            account=accounts[account],
            mrr=Decimal(price * 25),
            started_on=begin,
            ended_on=begin + dt.timedelta(days=days) if days else None,
        )

    fill_daily_totals(up_to=D(2024, 4, 30))

    for total in DailyTotal.objects.all():
        assert (total.customers, total.mrr) == live(total.day), total.day


@pytest.mark.django_db
def test_filling_twice_changes_nothing_and_back_dated_changes_show_up():
    account = AccountFactory()
    SubscriptionFactory(account=account, mrr=Decimal("100"), started_on=D(2024, 1, 1))
    fill_daily_totals(up_to=D(2024, 3, 31))
    first = list(DailyTotal.objects.values_list("day", "customers", "mrr"))

    fill_daily_totals(up_to=D(2024, 3, 31))
    assert list(DailyTotal.objects.values_list("day", "customers", "mrr")) == first
    assert len(first) == 91

    SubscriptionFactory(account=AccountFactory(), mrr=Decimal("50"), started_on=D(2024, 2, 1))
    fill_daily_totals(up_to=D(2024, 3, 31))
    assert DailyTotal.objects.get(day=D(2024, 2, 1)).mrr == Decimal("150.00")
    assert DailyTotal.objects.get(day=D(2024, 1, 31)).customers == 1


@pytest.mark.django_db
def test_the_nightly_task_fills_up_to_the_day_given_and_beat_runs_it_nightly(viewer_client):
    SubscriptionFactory(mrr=Decimal("70"), started_on=D(2024, 5, 1))

    assert fill_daily_totals_task("2024-05-10") == 10
    task = PeriodicTask.objects.get(task="metrics.fill_daily_totals")
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == (
        "2",
        "30",
        "UTC",
    )

    response = viewer_client.get("/api/v1/metrics/daily/?start=2024-05-09&end=2024-05-20")
    assert response.json()["results"] == [
        {"day": "2024-05-09", "customers": 1, "mrr": "70.00"},
        {"day": "2024-05-10", "customers": 1, "mrr": "70.00"},
    ]


@pytest.mark.django_db
def test_a_fill_costs_one_query_per_month_of_history(django_assert_max_num_queries):
    SubscriptionFactory(started_on=D(2022, 1, 1))
    with django_assert_max_num_queries(3 * 40):
        assert fill_daily_totals(up_to=D(2024, 12, 31)) == 1096
