"""Revenue and customer status derived from subscriptions, bands, constraints, validation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Account, AccountStatus, Contact, Subscription, validate_timezone
from accounts.validation import parse_birthday, validate_contact_email_unique
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory, mrr_on

pytestmark = pytest.mark.django_db

DAY = dt.date(2024, 6, 15)
ONE_DAY = dt.timedelta(days=1)


def status_of(account: Account, day: dt.date) -> str:
    return Account.objects.with_status(day).get(pk=account.pk).status


# MRR and customer status


def test_an_account_without_subscriptions_is_a_prospect_with_zero_mrr():
    account = AccountFactory()

    annotated = Account.objects.with_status(DAY).get(pk=account.pk)

    assert annotated.status == AccountStatus.PROSPECT
    assert annotated.mrr == Decimal("0.00")
    assert annotated.first_customer_day is None


def test_it_counts_an_account_as_a_customer_from_the_day_its_subscription_starts():
    account = AccountFactory()
    SubscriptionFactory(account=account, mrr=Decimal("80.00"), started_on=DAY)

    assert status_of(account, DAY - ONE_DAY) == AccountStatus.PROSPECT
    assert status_of(account, DAY) == AccountStatus.CUSTOMER


def test_it_counts_an_account_as_churned_the_day_its_last_subscription_ends():
    account = AccountFactory()
    SubscriptionFactory(account=account, started_on=DAY - 30 * ONE_DAY, ended_on=DAY)

    assert status_of(account, DAY - ONE_DAY) == AccountStatus.CUSTOMER
    assert status_of(account, DAY) == AccountStatus.CHURNED


def test_ended_on_is_the_first_day_without_service():
    account = AccountFactory()
    SubscriptionFactory(
        account=account, mrr=Decimal("50.00"), started_on=dt.date(2024, 1, 1), ended_on=DAY
    )

    assert mrr_on(account, DAY - ONE_DAY) == Decimal("50.00")
    assert mrr_on(account, DAY) == Decimal("0.00")
    assert list(Subscription.objects.active_on(DAY - ONE_DAY)) != []
    assert list(Subscription.objects.active_on(DAY)) == []


def test_a_churned_account_that_subscribes_again_is_a_customer_again():
    account = AccountFactory()
    SubscriptionFactory(
        account=account, started_on=dt.date(2023, 1, 1), ended_on=dt.date(2024, 1, 1)
    )
    SubscriptionFactory(account=account, started_on=dt.date(2024, 3, 1))

    assert status_of(account, dt.date(2024, 2, 1)) == AccountStatus.CHURNED
    assert status_of(account, dt.date(2024, 3, 1)) == AccountStatus.CUSTOMER


def test_the_mrr_of_an_account_is_the_sum_of_its_active_subscriptions():
    account = AccountFactory()
    SubscriptionFactory(account=account, mrr=Decimal("100.00"), started_on=dt.date(2024, 1, 1))
    SubscriptionFactory(account=account, mrr=Decimal("25.50"), started_on=dt.date(2024, 2, 1))
    SubscriptionFactory(
        account=account,
        mrr=Decimal("999.00"),
        started_on=dt.date(2023, 1, 1),
        ended_on=dt.date(2024, 1, 1),
    )
    SubscriptionFactory(mrr=Decimal("7.00"), started_on=dt.date(2024, 1, 1))  # another account

    annotated = Account.objects.with_mrr_on(DAY).get(pk=account.pk)

    assert annotated.mrr == Decimal("125.50")
    assert mrr_on(account, DAY) == Decimal("125.50")


def test_a_zero_mrr_subscription_does_not_make_a_customer():
    account = AccountFactory()
    SubscriptionFactory(account=account, mrr=Decimal("0.00"), started_on=dt.date(2024, 1, 1))

    annotated = Account.objects.with_status(DAY).get(pk=account.pk)

    assert annotated.status == AccountStatus.PROSPECT
    assert annotated.first_customer_day is None
    assert list(Account.objects.customers_on(DAY)) == []


def test_the_first_customer_day_ignores_zero_mrr_subscriptions():
    account = AccountFactory()
    SubscriptionFactory(account=account, mrr=Decimal("0.00"), started_on=dt.date(2023, 1, 1))
    SubscriptionFactory(account=account, mrr=Decimal("40.00"), started_on=dt.date(2024, 2, 1))

    annotated = Account.objects.with_status(DAY).get(pk=account.pk)

    assert annotated.first_customer_day == dt.date(2024, 2, 1)
    assert status_of(account, dt.date(2023, 6, 1)) == AccountStatus.PROSPECT


def test_an_account_whose_only_paid_subscription_starts_later_is_still_a_prospect():
    account = AccountFactory()
    SubscriptionFactory(account=account, started_on=DAY + ONE_DAY)

    assert status_of(account, DAY) == AccountStatus.PROSPECT


def test_customers_on_lists_exactly_the_accounts_paying_on_that_day():
    paying = AccountFactory(name="Paying")
    SubscriptionFactory(account=paying, started_on=dt.date(2024, 1, 1))
    ended = AccountFactory(name="Ended")
    SubscriptionFactory(account=ended, started_on=dt.date(2024, 1, 1), ended_on=DAY)
    free = AccountFactory(name="Free")
    SubscriptionFactory(account=free, mrr=Decimal("0.00"), started_on=dt.date(2024, 1, 1))
    AccountFactory(name="Prospect")

    customers = Account.objects.customers_on(DAY)

    assert [account.name for account in customers] == ["Paying"]
    assert [a.name for a in Account.objects.customers_on(DAY - ONE_DAY)] == ["Ended", "Paying"]


def test_mrr_history_matches_mrr_on_for_each_day():
    account = AccountFactory()
    SubscriptionFactory(
        account=account,
        mrr=Decimal("100.00"),
        started_on=dt.date(2024, 1, 10),
        ended_on=dt.date(2024, 4, 1),
    )
    SubscriptionFactory(account=account, mrr=Decimal("30.00"), started_on=dt.date(2024, 3, 31))
    days = [
        dt.date(2023, 12, 31),
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 31),
        dt.date(2024, 4, 1),
        dt.date(2024, 4, 30),
    ]

    history = account.mrr_history(days)

    assert history == [mrr_on(account, day) for day in days]
    assert history == [
        Decimal("0.00"),
        Decimal("100.00"),
        Decimal("100.00"),
        Decimal("130.00"),
        Decimal("30.00"),
        Decimal("30.00"),
    ]


def test_mrr_history_of_no_days_is_empty():
    assert AccountFactory().mrr_history([]) == []


# Employee bands


@pytest.mark.parametrize(
    ("employees", "band"),
    [
        (1, "1-10"),
        (10, "1-10"),
        (11, "11-50"),
        (50, "11-50"),
        (51, "51-200"),
        (1000, "201-1000"),
        (1001, "1001+"),
        (250_000, "1001+"),
        (None, ""),
        (0, ""),
    ],
)
def test_it_puts_an_account_in_the_band_of_its_head_count(employees, band):
    account = AccountFactory(employees=employees)

    assert Account.objects.with_employee_band().get(pk=account.pk).employee_band == band


def test_in_employee_band_keeps_only_the_accounts_in_that_band():
    AccountFactory(name="Ten", employees=10)
    AccountFactory(name="Eleven", employees=11)
    AccountFactory(name="Fifty", employees=50)
    AccountFactory(name="Fifty-one", employees=51)
    AccountFactory(name="Unknown", employees=None)

    names = [account.name for account in Account.objects.in_employee_band("11-50")]

    assert names == ["Eleven", "Fifty"]


def test_the_open_ended_band_has_no_upper_limit():
    AccountFactory(name="Thousand", employees=1000)
    AccountFactory(name="Huge", employees=2_000_000)
    AccountFactory(name="Just over", employees=1001)

    names = [account.name for account in Account.objects.in_employee_band("1001+")]

    assert names == ["Huge", "Just over"]


def test_an_account_with_unknown_employees_is_in_no_band():
    AccountFactory(employees=None)

    for band in ["1-10", "11-50", "51-200", "201-1000", "1001+"]:
        assert not Account.objects.in_employee_band(band).exists()


def test_an_unknown_band_matches_no_account():
    AccountFactory(employees=20)

    assert not Account.objects.in_employee_band("11-5000").exists()


# Database constraints


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"mrr": Decimal("-0.01")}, "subscription_mrr_non_negative"),
        ({"ended_on": dt.date(2024, 1, 1)}, "subscription_ends_after_start"),
        ({"ended_on": dt.date(2023, 12, 31)}, "subscription_ends_after_start"),
        ({"cancel_type": "voluntary"}, "subscription_cancel_type_needs_end"),
    ],
)
def test_the_database_rejects_an_impossible_subscription(fields, constraint):
    account = AccountFactory()

    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Subscription.objects.create(
            **{"account": account, "mrr": Decimal("10.00"), "started_on": dt.date(2024, 1, 1)}
            | fields
        )

    assert not Subscription.objects.exists()


def test_the_database_accepts_an_ended_subscription_with_a_cancel_type():
    subscription = SubscriptionFactory(
        started_on=dt.date(2024, 1, 1), ended_on=dt.date(2024, 1, 2), cancel_type="involuntary"
    )

    assert subscription.pk is not None


@pytest.mark.parametrize("factory", [AccountFactory, ContactFactory, SubscriptionFactory])
def test_two_records_cannot_share_an_external_id(factory):
    factory(external_id="ext-1")

    with pytest.raises(IntegrityError), transaction.atomic():
        factory(external_id="ext-1")


@pytest.mark.parametrize("factory", [AccountFactory, ContactFactory, SubscriptionFactory])
def test_many_records_may_have_no_external_id(factory):
    factory(external_id=None)
    factory(external_id=None)

    assert factory._meta.model.objects.filter(external_id=None).count() == 2


def test_an_account_cannot_have_the_same_email_twice_whatever_its_case():
    account = AccountFactory()
    ContactFactory(account=account, email="A@x.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        ContactFactory(account=account, email="a@x.com")

    assert Contact.objects.count() == 1


def test_two_accounts_may_have_a_contact_with_the_same_email():
    ContactFactory(email="a@x.com")
    ContactFactory(email="a@x.com")

    assert Contact.objects.filter(email="a@x.com").count() == 2


# Contact birthday and validation


def test_a_birthday_with_a_year_renders_as_a_full_date():
    contact = ContactFactory(birth_year=1985, birth_month=3, birth_day=7)

    assert contact.birthday == "1985-03-07"


def test_a_birthday_without_a_year_renders_as_month_and_day():
    contact = ContactFactory(birth_month=12, birth_day=25)

    assert contact.birthday == "--12-25"


def test_a_contact_without_a_birthday_renders_an_empty_birthday():
    assert ContactFactory().birthday == ""


def test_it_rejects_february_30th():
    contact = ContactFactory.build(birth_month=2, birth_day=30)

    with pytest.raises(ValidationError, match="not a real date"):
        contact.clean()


def test_it_accepts_february_29th_without_a_year_but_not_in_a_common_year():
    ContactFactory.build(birth_month=2, birth_day=29).clean()

    with pytest.raises(ValidationError, match="not a real date"):
        ContactFactory.build(birth_year=2023, birth_month=2, birth_day=29).clean()


def test_it_rejects_a_birthday_month_without_a_day():
    contact = ContactFactory.build(birth_month=5, birth_day=None)

    with pytest.raises(ValidationError, match="both the month and the day"):
        contact.clean()


def test_it_rejects_a_time_zone_that_does_not_exist():
    with pytest.raises(ValidationError, match="Mars/Olympus is not an IANA time zone"):
        validate_timezone("Mars/Olympus")


def test_it_accepts_an_iana_time_zone():
    validate_timezone("America/Sao_Paulo")


def test_full_clean_reports_a_bad_contact_time_zone_on_its_field():
    contact = ContactFactory.build(timezone="Mars/Olympus")

    with pytest.raises(ValidationError) as excinfo:
        contact.full_clean(exclude=["account"])

    assert "timezone" in excinfo.value.message_dict


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("1990-04-23", (1990, 4, 23)),
        ("--02-29", (None, 2, 29)),
        ("0000-04-23", (None, 4, 23)),  # some exports write an unknown year as 0000
        ("", (None, None, None)),
    ],
)
def test_a_birthday_is_read_as_the_three_birth_fields(text: str, fields: tuple) -> None:
    year, month, day = fields

    assert parse_birthday(text) == fields
    ContactFactory.build(birth_year=year, birth_month=month, birth_day=day).clean()  # agrees


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("--02-30", "birthday_not_real"),
        ("2023-02-29", "birthday_not_real"),
        ("17/05/1990", "birthday_format"),
        ("--4-23", "birthday_format"),
        ("\uff11990-04-23", "birthday_format"),  # ASCII digits only, as the CSV always read it
    ],
)
def test_a_birthday_that_is_not_a_real_date_says_which_rule_it_breaks(text: str, code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_birthday(text)

    assert excinfo.value.code == code


def test_an_email_is_taken_at_an_account_in_any_case_but_not_by_its_own_contact() -> None:
    contact = ContactFactory(email="Ana@Acme.test")

    with pytest.raises(ValidationError, match="already has a contact with this email"):
        validate_contact_email_unique(contact.account_id, "ana@acme.TEST")
    validate_contact_email_unique(contact.account_id, "ana@acme.test", contact)
    validate_contact_email_unique(AccountFactory().pk, "ana@acme.test")


# Subscription validation


def test_a_subscription_ending_on_its_start_day_explains_that_the_end_is_exclusive():
    subscription = SubscriptionFactory.build(
        started_on=dt.date(2024, 1, 1), ended_on=dt.date(2024, 1, 1)
    )

    with pytest.raises(ValidationError) as excinfo:
        subscription.clean()

    assert excinfo.value.message_dict == {
        "ended_on": ["The end must be after the start (it is the first day without service)."]
    }


def test_a_subscription_with_a_cancel_type_but_no_end_is_invalid():
    subscription = SubscriptionFactory.build(cancel_type="voluntary", ended_on=None)

    with pytest.raises(ValidationError) as excinfo:
        subscription.clean()

    assert excinfo.value.message_dict == {
        "cancel_type": ["Only an ended subscription has a cancellation type."]
    }


def test_a_valid_ended_subscription_passes_clean():
    SubscriptionFactory.build(
        started_on=dt.date(2024, 1, 1), ended_on=dt.date(2024, 2, 1), cancel_type="voluntary"
    ).clean()


def test_a_negative_mrr_fails_validation_on_the_mrr_field():
    subscription = SubscriptionFactory.build(mrr=Decimal("-1.00"))

    with pytest.raises(ValidationError) as excinfo:
        subscription.full_clean(exclude=["account"])

    assert "mrr" in excinfo.value.message_dict
