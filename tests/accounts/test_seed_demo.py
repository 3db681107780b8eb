from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Min, OuterRef, Q, Subquery, Sum

from accounts.demo import (
    INVOLUNTARY_REASONS,
    VOLUNTARY_REASONS,
    DemoDataExists,
    DemoSummary,
    history_months,
)
from accounts.demo import TIMEZONES as DEMO_TIMEZONES
from accounts.models import (
    Account,
    AccountStatus,
    CancelType,
    Contact,
    Subscription,
    active_on_q,
)
from lifecycle.ops.demo import delete_demo, generate_demo
from lifecycle.staff.roles import MARKETER
from tests.factories import AccountFactory

TODAY = dt.date(2025, 6, 15)
ACCOUNTS = 60
SEED = 7

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> DemoSummary:
    return generate_demo(accounts=ACCOUNTS, seed=SEED, today=TODAY)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    return {
        "accounts": list(
            Account.objects.order_by("external_id").values_list(
                "external_id", "name", "industry", "employees", "country",
                "owner__username", "referenceable",
            )
        ),
        "contacts": list(
            Contact.objects.order_by("external_id").values_list(
                "external_id", "first_name", "last_name", "email", "birth_year", "birth_month",
                "birth_day", "language", "timezone", "is_primary",
            )
        ),
        "subscriptions": list(
            Subscription.objects.order_by("external_id").values_list(
                "external_id", "plan", "mrr", "quantity", "started_on", "ended_on",
                "cancel_type", "cancel_reason",
            )
        ),
    }  # fmt: skip


def month_ends(today: dt.date) -> list[dt.date]:
    """The last day of each month of the history; today for the current month."""
    days = [m.replace(day=calendar.monthrange(m.year, m.month)[1]) for m in history_months(today)]
    return [*days[:-1], today]


def mrr_by_month(today: dt.date = TODAY) -> list[list[Decimal]]:
    """MRR(a, month end) for every demo account and month, in one query."""
    days = month_ends(today)
    sums = {
        f"m{i}": Sum("subscriptions__mrr", filter=active_on_q(day, "subscriptions__"), default=0)
        for i, day in enumerate(days)
    }
    rows = Account.objects.filter(external_id__startswith="demo-").annotate(**sums)
    return [list(row) for row in rows.values_list(*sums)]


def churn_types_of_churned_accounts(today: dt.date = TODAY) -> list[str]:
    # docs/metrics.md: a churned account takes the type of its latest-ended subscription.
    latest = Subscription.objects.filter(account=OuterRef("pk"), ended_on__isnull=False).order_by(
        "-ended_on", "-mrr"
    )
    churned = Account.objects.with_status(today).filter(status=AccountStatus.CHURNED)
    return list(
        churned.annotate(churn_type=Subquery(latest.values("cancel_type")[:1])).values_list(
            "churn_type", flat=True
        )
    )


def test_it_creates_the_accounts_with_one_to_five_contacts_and_one_primary(demo):
    assert demo.accounts == Account.objects.count() == ACCOUNTS
    assert demo.contacts == Contact.objects.count()
    assert demo.subscriptions == Subscription.objects.count()
    per_account = Account.objects.annotate(
        contacts_count=Count("contacts"),
        primaries=Count("contacts", filter=Q(contacts__is_primary=True)),
    )
    assert {a.contacts_count for a in per_account} <= {1, 2, 3, 4, 5}
    assert {a.primaries for a in per_account} == {1}


def test_the_summary_counts_customers_and_mrr_today(demo):
    customers = Account.objects.customers_on(TODAY)
    assert demo.customers_today == customers.count()
    assert demo.mrr_today == sum(a.mrr for a in customers)
    assert demo.mrr_today > 0


def test_the_same_seed_gives_the_same_data():
    first = generate_demo(accounts=ACCOUNTS, seed=SEED, today=TODAY)
    rows = snapshot()
    delete_demo()
    second = generate_demo(accounts=ACCOUNTS, seed=SEED, today=TODAY)

    assert second == first
    assert snapshot() == rows


def test_another_seed_gives_other_data():
    generate_demo(accounts=ACCOUNTS, seed=SEED, today=TODAY)
    rows = snapshot()
    delete_demo()
    generate_demo(accounts=ACCOUNTS, seed=SEED + 1, today=TODAY)

    assert snapshot()["accounts"] != rows["accounts"]


def test_every_row_passes_model_validation(demo):
    for account in Account.objects.all()[::4]:
        account.full_clean()
    for contact in Contact.objects.all()[::8]:
        contact.full_clean()
    for subscription in Subscription.objects.all()[::4]:
        subscription.full_clean()


def test_subscriptions_respect_the_revenue_rules(demo):
    subscriptions = Subscription.objects.all()
    assert not subscriptions.filter(mrr__lt=0).exists()
    assert all(s.mrr == s.mrr.quantize(Decimal("0.01")) for s in subscriptions)
    assert not subscriptions.filter(ended_on__lte=F("started_on")).exists()
    assert not subscriptions.filter(ended_on__isnull=True).exclude(cancel_type="").exists()
    assert not subscriptions.filter(started_on__gt=TODAY).exists()
    assert subscriptions.filter(plan__in=["Starter", "Growth", "Business", "Enterprise"]).exists()
    assert subscriptions.filter(quantity__gt=1).exists()


def test_the_history_covers_four_years_up_to_today(demo):
    first_month = history_months(TODAY)[0]
    assert first_month == dt.date(2021, 6, 1)
    starts = Subscription.objects.filter(mrr__gt=0).values_list("started_on", flat=True)
    assert min(starts) < first_month + dt.timedelta(days=62)
    assert max(starts) <= TODAY
    # No cancellation is dated in the future.
    assert not Subscription.objects.exclude(cancel_type="").filter(ended_on__gt=TODAY).exists()


def test_new_customers_arrive_every_month():
    # 49 months need more customers than the 60-account demo has besides its scripted ones.
    generate_demo(accounts=100, seed=SEED, today=TODAY)
    rows = mrr_by_month()
    for month in range(len(month_ends(TODAY))):
        assert any(row[month] > 0 and not any(row[:month]) for row in rows), month


def test_the_running_month_gets_new_customers_only_for_the_days_it_has_had():
    # On the 1st, a whole month's arrivals crammed into one day made a spike in every chart.
    first_of_month = dt.date(2025, 6, 1)
    generate_demo(accounts=300, seed=SEED, today=first_of_month)

    first_paid = (
        Subscription.objects.filter(mrr__gt=0)
        .values("account")
        .annotate(first=Min("started_on"))
        .values_list("first", flat=True)
    )
    per_day = Counter(first_paid)
    may_per_day = sum(n for day, n in per_day.items() if day.month == 5 and day.year == 2025) / 31
    assert per_day[first_of_month] <= max(2, 3 * may_per_day)


def test_some_customers_expand_and_some_contract(demo):
    rows = mrr_by_month()
    changes = [(row[i - 1], row[i]) for row in rows for i in range(1, len(row))]
    assert any(0 < before < after for before, after in changes)
    assert any(0 < after < before for before, after in changes)
    add_ons = Subscription.objects.filter(plan__in=["Analytics add-on", "Premium support"])
    assert add_ons.exists() or Subscription.objects.filter(plan="Extra contacts pack").exists()


def test_some_customers_churn_and_some_come_back(demo):
    rows = mrr_by_month()
    churns = [row for row in rows if any(row[i - 1] > 0 == row[i] for i in range(1, len(row)))]
    comebacks = [
        row
        for row in rows
        if any(row[i - 1] == 0 < row[i] and any(row[: i - 1]) for i in range(1, len(row)))
    ]
    assert churns
    assert comebacks


def test_churned_accounts_carry_every_cancel_type_and_a_reason(demo):
    assert set(churn_types_of_churned_accounts()) == {
        CancelType.VOLUNTARY,
        CancelType.INVOLUNTARY,
        "",
    }
    involuntary = Subscription.objects.filter(cancel_type=CancelType.INVOLUNTARY)
    assert set(involuntary.values_list("cancel_reason", flat=True)) <= set(INVOLUNTARY_REASONS)
    assert not Subscription.objects.filter(cancel_type="").exclude(cancel_reason="").exists()


def test_customers_give_their_reason_for_leaving_in_their_own_language():
    generate_demo(accounts=300, seed=SEED, today=TODAY)
    primary = Contact.objects.filter(account=OuterRef("account"), is_primary=True)
    voluntary = Subscription.objects.filter(cancel_type=CancelType.VOLUNTARY).annotate(
        language=Subquery(primary.values("language")[:1])
    )
    by_language: dict[str, set[str]] = {}
    for language, reason in voluntary.values_list("language", "cancel_reason"):
        by_language.setdefault(language, set()).add(reason)
    assert set(by_language) == {"en", "es", "ru"}
    for language, reasons in by_language.items():
        assert reasons <= set(VOLUNTARY_REASONS[language]), language
    # A failed payment is the billing system's reason, not the customer's: it stays English.
    involuntary = Subscription.objects.filter(cancel_type=CancelType.INVOLUNTARY)
    assert set(involuntary.values_list("cancel_reason", flat=True)) <= set(INVOLUNTARY_REASONS)


def test_about_fifteen_percent_are_prospects_who_never_paid(demo):
    statuses = Account.objects.with_status(TODAY).values_list("status", flat=True)
    share = list(statuses).count(AccountStatus.PROSPECT) / ACCOUNTS
    assert 0.10 <= share <= 0.20
    assert not Subscription.objects.filter(
        account__in=Account.objects.with_status(TODAY).filter(status=AccountStatus.PROSPECT),
        mrr__gt=0,
    ).exists()


def test_accounts_span_every_band_industry_and_some_are_referenceable(demo):
    accounts = Account.objects.all()
    bands = set(accounts.with_employee_band().values_list("employee_band", flat=True))
    assert {"1-10", "11-50", "51-200", "201-1000", "1001+"} <= bands
    assert len(set(accounts.values_list("industry", flat=True))) == 8
    assert set(accounts.values_list("country", flat=True)) <= set(DEMO_TIMEZONES)
    assert accounts.filter(referenceable=True).exists()
    assert len(set(accounts.values_list("name", flat=True))) == ACCOUNTS


def test_contacts_speak_the_language_of_their_name_and_live_in_their_country(demo):
    contacts = list(Contact.objects.select_related("account"))
    assert {c.language for c in contacts} == {"en", "es", "ru"}
    assert all(c.timezone in DEMO_TIMEZONES[c.account.country] for c in contacts)
    assert all(c.email.split("@")[0].isascii() for c in contacts)
    russians_at_home = [c for c in contacts if c.language == "ru" and c.account.country == "RU"]
    assert all(not c.last_name.isascii() for c in russians_at_home)
    with_birthday = [c for c in contacts if c.birth_month]
    assert 0.55 <= len(with_birthday) / len(contacts) <= 0.85
    assert any(c.birth_year is None for c in with_birthday)


def test_every_account_has_one_of_four_marketer_owners(demo):
    owners = get_user_model().objects.filter(owned_accounts__isnull=False).distinct()
    assert sorted(o.username for o in owners) == [
        "david.kim",
        "emma.jones",
        "ivan.petrov",
        "maria.lopez",
    ]
    assert not Account.objects.filter(owner__isnull=True).exists()
    for owner in owners:
        assert not owner.has_usable_password()
        assert list(owner.groups.values_list("name", flat=True)) == [MARKETER]
        assert owner.email.endswith("@lifecycle.example")


def test_it_inserts_in_bulk(django_assert_max_num_queries):
    generate_demo(accounts=5, seed=SEED, today=TODAY)  # the owners exist from here on
    delete_demo()
    # The survey history adds two; its follow-up items and their notes three more (SQLite's
    # 999 parameters per query split the items' insert in two). SQLite splits the four
    # years of answers into more inserts too: a dozen for these 60 accounts.
    with django_assert_max_num_queries(40):
        generate_demo(accounts=ACCOUNTS, seed=SEED, today=TODAY)


def test_the_demo_has_survey_answers_from_paying_contacts(demo):
    from surveys.models import Response

    answers = Response.objects.filter(external_id__startswith="demo-res-")
    assert answers.filter(kind="nps").exists()
    assert answers.filter(kind="csat").exists()
    # Nobody answers before their account first paid.
    for answer in answers.select_related("account")[:50]:
        first_paid = answer.account.subscriptions.filter(mrr__gt=0).order_by("started_on")[0]
        assert answer.submitted_at.date() > first_paid.started_on
    # History never alerts owners.
    assert not answers.filter(owner_alerted_at__isnull=True).exists()


def test_the_demo_has_open_assigned_and_closed_follow_up_items(demo):
    from surveys.models import FollowUp, FollowUpStatus, Response

    answers = Response.objects.filter(external_id__startswith="demo-res-")
    items = FollowUp.objects.filter(response__in=answers)
    low = answers.filter(Q(kind="nps", score__lte=6) | Q(kind="csat", score__lte=2))
    # Every low answer has its one item (a drop alone opens one too).
    assert low.exclude(follow_up__isnull=False).count() == 0
    assert items.count() >= low.count() > 50
    assert items.with_reason("detractor").with_reason("score_drop").exists()
    recent = items.filter(opened_at__date__gte=TODAY - dt.timedelta(days=30))
    older = items.exclude(pk__in=recent)
    recent_open = recent.filter(status=FollowUpStatus.OPEN).count()
    older_open = older.filter(status=FollowUpStatus.OPEN).count()
    assert recent_open > 0
    assert older_open < 0.2 * older.count()  # older ones are mostly closed
    assert recent_open / recent.count() > older_open / older.count()
    closed = items.filter(status=FollowUpStatus.CLOSED)
    assert not closed.filter(closed_at__lt=F("opened_at")).exists()
    noted = closed.filter(comments__author=F("account__owner")).distinct()
    assert noted.count() == closed.count()  # closed with the owner's note
    assigned = items.filter(assignee=F("account__owner")).count()
    assert 0.8 * items.count() <= assigned < items.count()  # a few are unassigned
    assert not items.filter(assignee__isnull=False).exclude(assignee=F("account__owner")).exists()


def test_it_refuses_to_run_twice(demo):
    with pytest.raises(DemoDataExists):
        generate_demo(accounts=ACCOUNTS, seed=SEED, today=TODAY)


def test_the_command_refuses_to_run_twice_without_reset(capsys):
    call_command("seed_demo", accounts=20)
    with pytest.raises(CommandError, match="--reset"):
        call_command("seed_demo", accounts=20)
    assert Account.objects.count() == 20


def test_the_command_with_reset_replaces_only_demo_rows(capsys):
    kept = AccountFactory(external_id="acc-1")
    call_command("seed_demo", accounts=20, seed=1)
    capsys.readouterr()

    call_command("seed_demo", accounts=10, seed=2, reset=True)

    out = capsys.readouterr().out
    assert "10 accounts" in out and "customers today" in out and "MRR today" in out
    assert len(out.strip().splitlines()) == 1
    assert Account.objects.filter(external_id__startswith="demo-").count() == 10
    assert Account.objects.filter(pk=kept.pk).exists()


def test_reset_deletes_the_demos_follow_up_items_and_keeps_the_others():
    from surveys.models import FollowUp

    generate_demo(accounts=20, seed=SEED, today=TODAY)
    kept = FollowUp.objects.create(account=AccountFactory(), reasons="unhappy")
    assert FollowUp.objects.count() > 1

    delete_demo()

    assert list(FollowUp.objects.all()) == [kept]
