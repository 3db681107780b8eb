"""Django admin for accounts, contacts and subscriptions: columns, filters, query cost, access."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Account
from tests.factories import (
    AccountFactory,
    ContactFactory,
    SubscriptionFactory,
    UserFactory,
    mrr_on,
)

pytestmark = pytest.mark.django_db

ACCOUNTS = "/admin/accounts/account/"
CONTACTS = "/admin/accounts/contact/"
SUBSCRIPTIONS = "/admin/accounts/subscription/"


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def full_account() -> Account:
    account = AccountFactory(owner=UserFactory())
    ContactFactory.create_batch(2, account=account)
    SubscriptionFactory(account=account, started_on=days_ago(100), ended_on=days_ago(20))
    SubscriptionFactory(account=account, started_on=days_ago(19))
    return account


def result_names(response) -> list[str]:
    return sorted(account.name for account in response.context["cl"].result_list)


def result_rows(response) -> int:
    return len(response.context["cl"].result_list)


def cell(response, account: Account, column: str) -> str:
    """The text of one changelist cell, found by the account's checkbox value and the column."""
    page = response.content.decode()
    row = re.search(rf'<tr>(?:(?!</tr>).)*value="{account.pk}"(?:(?!</tr>).)*</tr>', page, re.S)
    assert row, f"no row for {account}"
    found = re.search(rf'class="field-{column}[^"]*">(.*?)</t[dh]>', row.group(0), re.S)
    assert found, f"no {column} cell for {account}"
    return found.group(1).strip()


@pytest.fixture
def statuses(db) -> dict[str, Account]:
    paying = AccountFactory(name="Paying", employees=20)
    SubscriptionFactory(account=paying, mrr=Decimal("1234.50"), started_on=days_ago(30))
    SubscriptionFactory(account=paying, mrr=Decimal("0.50"), started_on=days_ago(1))
    gone = AccountFactory(name="Gone", employees=11)
    SubscriptionFactory(account=gone, started_on=days_ago(60), ended_on=timezone.localdate())
    lead = AccountFactory(name="Lead", employees=51)
    SubscriptionFactory(account=lead, started_on=days_ago(-5))  # starts in five days
    return {"paying": paying, "gone": gone, "lead": lead}


# Access


@pytest.mark.parametrize("persona", ["viewer_client", "marketer_client", "outsider_client"])
def test_a_user_who_is_not_an_admin_is_sent_away_from_the_admin(request, persona):
    client = request.getfixturevalue(persona)

    for url in ["/admin/", ACCOUNTS]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=")


def test_an_admin_may_enter_the_admin(admin_client_):
    response = admin_client_.get("/admin/")

    assert response.status_code == 200
    assert b"Accounts" in response.content


# The account changelist


def test_the_account_changelist_shows_the_status_and_mrr_of_today(admin_client_, statuses):
    response = admin_client_.get(ACCOUNTS)

    assert response.status_code == 200
    assert "MRR today" in response.content.decode()
    assert cell(response, statuses["paying"], "status_display") == "Customer"
    assert cell(response, statuses["paying"], "mrr_display") == "1,235.00"
    assert cell(response, statuses["gone"], "status_display") == "Churned"
    assert cell(response, statuses["gone"], "mrr_display") == "0.00"
    assert cell(response, statuses["lead"], "status_display") == "Prospect"


@pytest.mark.parametrize(
    ("status", "expected"),
    [("customer", ["Paying"]), ("churned", ["Gone"]), ("prospect", ["Lead"])],
)
def test_the_status_filter_keeps_only_accounts_with_that_status(
    admin_client_, statuses, status, expected
):
    response = admin_client_.get(ACCOUNTS, {"status": status})

    assert response.status_code == 200
    assert result_names(response) == expected


@pytest.mark.parametrize(
    ("band", "expected"),
    [("1-10", []), ("11-50", ["Gone", "Paying"]), ("51-200", ["Lead"])],
)
def test_the_band_filter_keeps_only_accounts_of_that_size(admin_client_, statuses, band, expected):
    response = admin_client_.get(ACCOUNTS, {"band": band})

    assert response.status_code == 200
    assert result_names(response) == expected


def test_the_admin_sorts_accounts_by_mrr(admin_client_, statuses):
    mrr_column = 3  # list_display index after the action checkbox, name and status
    response = admin_client_.get(ACCOUNTS, {"o": f"-{mrr_column}"})

    accounts = list(response.context["cl"].result_list)
    assert accounts[0].name == "Paying"
    assert [a.mrr for a in accounts] == sorted((a.mrr for a in accounts), reverse=True)


def test_the_admin_finds_an_account_by_a_contact_email(admin_client_):
    ContactFactory(account=AccountFactory(name="Globex"), email="hank@globex.example")
    AccountFactory(name="Acme")

    response = admin_client_.get(ACCOUNTS, {"q": "hank@globex.example"})

    assert result_names(response) == ["Globex"]


@pytest.mark.parametrize("url", [ACCOUNTS, CONTACTS, SUBSCRIPTIONS])
def test_a_changelist_costs_the_same_queries_for_3_and_for_30_accounts(
    admin_client_, django_assert_max_num_queries, url
):
    for _ in range(3):
        full_account()
    admin_client_.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as with_three:
        admin_client_.get(url)
    for _ in range(27):
        full_account()

    with django_assert_max_num_queries(len(with_three)):
        response = admin_client_.get(url)

    assert response.status_code == 200
    assert result_rows(response) == (30 if url == ACCOUNTS else 60)


# The account change page


def test_the_account_page_shows_its_contacts_and_subscriptions_inline(admin_client_):
    account = AccountFactory(name="Acme")
    ContactFactory(account=account, email="wile@acme.test")
    SubscriptionFactory(
        account=account, plan="Rockets", mrr=Decimal("321.00"), started_on=days_ago(9)
    )

    response = admin_client_.get(f"{ACCOUNTS}{account.pk}/change/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="contacts-group"' in page
    assert 'id="subscriptions-group"' in page
    assert 'value="wile@acme.test"' in page
    assert 'value="Rockets"' in page
    assert '<div class="readonly">Customer</div>' in page
    assert '<div class="readonly">321.00</div>' in page


def test_the_account_page_costs_the_same_queries_for_1_and_for_10_subscriptions(
    admin_client_, django_assert_max_num_queries
):
    account = full_account()
    url = f"{ACCOUNTS}{account.pk}/change/"
    admin_client_.get(url)
    with CaptureQueriesContext(connection) as with_two:
        admin_client_.get(url)
    SubscriptionFactory.create_batch(8, account=account)
    ContactFactory.create_batch(8, account=account)

    with django_assert_max_num_queries(len(with_two)):
        response = admin_client_.get(url)

    assert response.status_code == 200


def test_the_add_account_page_renders_for_an_account_without_subscriptions(admin_client_):
    response = admin_client_.get(f"{ACCOUNTS}add/")

    assert response.status_code == 200
    assert 'id="subscriptions-group"' in response.content.decode()


def test_an_admin_saves_an_account_with_a_new_subscription_inline(admin_client_):
    account = AccountFactory(name="Acme", owner=None)
    data = {
        "name": "Acme",
        "industry": "",
        "employees": "",
        "country": "",
        "owner": "",
        "external_id": "",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        "subscriptions-TOTAL_FORMS": "1",
        "subscriptions-INITIAL_FORMS": "0",
        "subscriptions-0-plan": "Pro",
        "subscriptions-0-mrr": "50.00",
        "subscriptions-0-quantity": "1",
        "subscriptions-0-started_on": days_ago(1).isoformat(),
    }

    response = admin_client_.post(f"{ACCOUNTS}{account.pk}/change/", data)

    assert response.status_code == 302
    assert mrr_on(account, timezone.localdate()) == Decimal("50.00")
