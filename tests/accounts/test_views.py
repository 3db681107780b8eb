"""The staff pages for accounts: list, detail, and the account/contact/subscription forms."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import factory
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Account, Contact, Subscription
from tests.factories import (
    AccountFactory,
    ContactFactory,
    SubscriptionFactory,
    UserFactory,
    mrr_on,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/accounts/"
XSS = "<script>alert(1)</script>"
ESCAPED_XSS = "&lt;script&gt;alert(1)&lt;/script&gt;"


def today() -> dt.date:
    return timezone.localdate()


def days_ago(days: int) -> dt.date:
    return today() - dt.timedelta(days=days)


def customer(name: str, mrr: str = "100.00", **fields: object) -> Account:
    account = AccountFactory(name=name, **fields)
    SubscriptionFactory(account=account, mrr=Decimal(mrr), started_on=days_ago(60))
    return account


def churned(name: str, **fields: object) -> Account:
    account = AccountFactory(name=name, **fields)
    SubscriptionFactory(account=account, started_on=days_ago(90), ended_on=days_ago(10))
    return account


def full_account() -> Account:
    """An account as the list pages see it in production: an owner, contacts, subscriptions."""
    account = AccountFactory(owner=UserFactory())
    ContactFactory.create_batch(2, account=account)
    SubscriptionFactory(account=account, started_on=days_ago(100), ended_on=days_ago(20))
    SubscriptionFactory(account=account, started_on=days_ago(19))
    return account


def rows(response) -> list[str]:
    """The body rows of the page's (first) table, as HTML strings."""
    tbody = response.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>.*?</tr>", tbody, flags=re.DOTALL)


def row_for(response, name: str) -> str:
    matches = [row for row in rows(response) if f">{name}</a>" in row]
    assert len(matches) == 1, f"expected one row for {name!r}, found {len(matches)}"
    return matches[0]


def listed_names(response) -> list[str]:
    return [account.name for account in response.context["page"]]


# Access


def test_an_anonymous_visitor_is_sent_to_the_login_page():
    response = Client().get(LIST_URL)

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/accounts/"


def test_a_signed_in_user_without_a_role_may_not_see_the_accounts(outsider_client):
    AccountFactory(name="Secret Corp")

    response = outsider_client.get(LIST_URL)

    assert response.status_code == 403
    assert b"Secret Corp" not in response.content


def test_an_outsider_may_not_see_an_account_page(outsider_client):
    account = AccountFactory(name="Secret Corp")

    response = outsider_client.get(account.get_absolute_url())

    assert response.status_code == 403
    assert b"Secret Corp" not in response.content


# The list


def test_a_viewer_sees_each_account_with_its_status_and_mrr(viewer_client):
    customer("Acme", mrr="1234.50")
    churned("Globex")
    AccountFactory(name="Initech")

    response = viewer_client.get(LIST_URL)

    assert response.status_code == 200
    acme = row_for(response, "Acme")
    assert 'class="badge badge-customer">Customer</span>' in acme
    assert "1,234.50" in acme
    globex = row_for(response, "Globex")
    assert 'class="badge badge-churned">Churned</span>' in globex
    assert "0.00" in globex
    assert 'class="badge badge-prospect">Prospect</span>' in row_for(response, "Initech")


def test_a_viewer_does_not_get_the_new_account_button(viewer_client, marketer_client):
    assert b'href="/accounts/new/"' not in viewer_client.get(LIST_URL).content
    assert b'href="/accounts/new/"' in marketer_client.get(LIST_URL).content


def test_it_finds_an_account_by_part_of_its_name_whatever_the_case(viewer_client):
    AccountFactory(name="Acme Rockets")
    AccountFactory(name="Globex")

    response = viewer_client.get(LIST_URL, {"q": "rocket"})

    assert listed_names(response) == ["Acme Rockets"]


def test_it_finds_an_account_by_a_contact_email_and_keeps_its_contact_count(viewer_client):
    globex = AccountFactory(name="Globex")
    ContactFactory(account=globex, email="hank@globex.example")
    ContactFactory(account=globex, email="frank@globex.example")
    ContactFactory(account=AccountFactory(name="Acme"), email="wile@acme.example")

    response = viewer_client.get(LIST_URL, {"q": "hank@globex"})

    assert listed_names(response) == ["Globex"]
    assert response.context["page"][0].contact_count == 2


def test_an_account_with_several_matching_contacts_is_listed_once(viewer_client):
    globex = AccountFactory(name="Globex")
    ContactFactory.create_batch(
        3, account=globex, email=factory.Sequence(lambda n: f"person{n}@globex.example")
    )

    response = viewer_client.get(LIST_URL, {"q": "globex.example"})

    assert listed_names(response) == ["Globex"]


@pytest.fixture
def assorted(db) -> dict[str, object]:
    """Three accounts that differ in every filtered attribute."""
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob")
    customer("Acme", industry="Software", employees=20, owner=alice, country="US")
    churned("Globex", industry="Retail", employees=500, owner=bob, country="DE")
    AccountFactory(name="Initech", industry="Finance", employees=None, owner=None, country="FR")
    return {"alice": alice, "bob": bob}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "customer"}, ["Acme"]),
        ({"status": "churned"}, ["Globex"]),
        ({"status": "prospect"}, ["Initech"]),
        ({"industry": "Retail"}, ["Globex"]),
        ({"band": "11-50"}, ["Acme"]),
        ({"band": "201-1000"}, ["Globex"]),
        ({"band": "1-10"}, []),
        ({"owner": "bob"}, ["Globex"]),
        ({"country": "de"}, ["Globex"]),
        ({"country": "FR", "status": "prospect"}, ["Initech"]),
        ({"country": "FR", "status": "customer"}, []),
        ({}, ["Acme", "Globex", "Initech"]),
    ],
)
def test_the_filters_keep_only_the_matching_accounts(viewer_client, assorted, params, expected):
    if "owner" in params:
        params = {**params, "owner": assorted[params["owner"]].pk}

    response = viewer_client.get(LIST_URL, params)

    assert response.status_code == 200
    assert listed_names(response) == expected


def test_it_lists_accounts_in_alphabetical_order(viewer_client):
    for name in ["Zeta", "Alpha", "Mid"]:
        ContactFactory(account=AccountFactory(name=name))

    response = viewer_client.get(LIST_URL)

    assert listed_names(response) == ["Alpha", "Mid", "Zeta"]


def test_it_splits_the_list_into_pages_of_fifty_and_keeps_the_filters(viewer_client):
    AccountFactory.create_batch(51, industry="Software")

    first = viewer_client.get(LIST_URL, {"industry": "Software"})
    second = viewer_client.get(LIST_URL, {"industry": "Software", "page": 2})

    assert len(rows(first)) == 50
    assert "Page 1 of 2" in first.content.decode()
    assert 'href="?industry=Software&amp;page=2"' in first.content.decode()
    assert len(rows(second)) == 1
    assert set(listed_names(first)).isdisjoint(listed_names(second))


def test_the_list_costs_the_same_queries_for_3_and_for_30_accounts(
    viewer_client, django_assert_max_num_queries
):
    for _ in range(3):
        full_account()
    viewer_client.get(LIST_URL)  # warm the per-process caches
    with CaptureQueriesContext(connection) as with_three:
        viewer_client.get(LIST_URL)
    for _ in range(27):
        full_account()

    with django_assert_max_num_queries(len(with_three)):
        response = viewer_client.get(LIST_URL)

    assert len(rows(response)) == 30


# The account page


def test_the_account_page_shows_contacts_subscriptions_and_todays_mrr(viewer_client):
    account = AccountFactory(name="Acme")
    ContactFactory(account=account, first_name="Wile", last_name="Coyote", email="wile@acme.test")
    ContactFactory(account=account, email="road@acme.test", birth_month=2, birth_day=29)
    SubscriptionFactory(
        account=account, plan="Rockets", mrr=Decimal("1000.00"), started_on=days_ago(400)
    )
    SubscriptionFactory(
        account=account, plan="Anvils", mrr=Decimal("234.50"), started_on=days_ago(3)
    )
    SubscriptionFactory(
        account=account,
        plan="Traps",
        mrr=Decimal("99.00"),
        started_on=days_ago(400),
        ended_on=days_ago(30),
        cancel_type="voluntary",
        cancel_reason="Did not catch the bird",
    )

    response = viewer_client.get(account.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    assert "Wile Coyote" in page
    assert "wile@acme.test" in page
    assert "February 29" in page and "--02-29" not in page  # a birthday without its year
    for plan in ["Rockets", "Anvils", "Traps"]:
        assert plan in page
    assert "Voluntary: Did not catch the bird" in page
    assert '<span title="$1,234.50" aria-label="$1,234.50">$1,234.50</span>' in page
    assert 'class="badge badge-customer">Customer</span>' in page


def test_the_last_month_of_the_mrr_history_is_todays_mrr(viewer_client):
    account = AccountFactory()
    SubscriptionFactory(account=account, mrr=Decimal("500.00"), started_on=days_ago(800))
    SubscriptionFactory(account=account, mrr=Decimal("70.25"), started_on=today())
    SubscriptionFactory(
        account=account, mrr=Decimal("40.00"), started_on=days_ago(800), ended_on=today()
    )

    response = viewer_client.get(account.get_absolute_url())

    history = response.context["history"]
    assert len(history) == 24
    assert history[-1] == (today().strftime("%b %Y"), Decimal("570.25"))
    assert history[-1][1] == mrr_on(account, today())
    assert rows(response)[-1].endswith('<td class="num">$570.25</td></tr>')
    chart = json.loads(
        re.search(r'id="mrr-chart-data"[^>]*>(.*?)</script>', response.content.decode()).group(1)
    )
    assert chart["mrr"][-1] == "570.25"
    assert chart["labels"][-1] == today().strftime("%b %Y")


def test_an_unknown_account_is_not_found(viewer_client):
    assert viewer_client.get("/accounts/999999/").status_code == 404


# Creating and editing


def test_a_marketer_creates_an_account_and_lands_on_its_page(marketer_client):
    response = marketer_client.post(
        "/accounts/new/", {"name": "Acme", "industry": "Software", "employees": 12, "country": "US"}
    )

    account = Account.objects.get()
    assert account.name == "Acme"
    assert account.employees == 12
    assert response.status_code == 302
    assert response["Location"] == account.get_absolute_url()


def test_a_marketer_renames_an_account(marketer_client):
    account = AccountFactory(name="Acme")

    response = marketer_client.post(
        f"/accounts/{account.pk}/edit/", {"name": "Acme Corp", "country": "GB"}
    )

    account.refresh_from_db()
    assert (account.name, account.country) == ("Acme Corp", "GB")
    assert response["Location"] == account.get_absolute_url()


def test_an_account_with_a_lowercase_country_code_is_not_saved(marketer_client):
    response = marketer_client.post("/accounts/new/", {"name": "Acme", "country": "us"})

    assert response.status_code == 200
    assert "country" in response.context["form"].errors
    assert not Account.objects.exists()


def test_a_marketer_adds_a_contact_to_an_account(marketer_client):
    account = AccountFactory()

    response = marketer_client.post(
        f"/accounts/{account.pk}/contacts/new/",
        {
            "first_name": "Ana",
            "email": "ana@acme.test",
            "birth_month": 12,
            "birth_day": 25,
            "language": "pt-BR",
            "timezone": "America/Sao_Paulo",
            "email_consent": "on",
        },
    )

    contact = Contact.objects.get()
    assert contact.account == account
    assert (contact.email, contact.birthday, contact.language) == (
        "ana@acme.test",
        "--12-25",
        "pt-BR",
    )
    assert response["Location"] == account.get_absolute_url()


def test_a_marketer_edits_a_contact(marketer_client):
    contact = ContactFactory(first_name="Ana", email="ana@acme.test")

    response = marketer_client.post(
        f"/accounts/{contact.account_id}/contacts/{contact.pk}/",
        {"first_name": "Anna", "email": "ana@acme.test", "language": "en", "timezone": "UTC"},
    )

    contact.refresh_from_db()
    assert contact.first_name == "Anna"
    assert contact.email_consent is False  # an unticked box withdraws consent
    assert response["Location"] == contact.account.get_absolute_url()


def test_a_contact_with_an_impossible_birthday_or_time_zone_is_not_saved(marketer_client):
    account = AccountFactory()

    response = marketer_client.post(
        f"/accounts/{account.pk}/contacts/new/",
        {
            "email": "ana@acme.test",
            "birth_month": 2,
            "birth_day": 30,
            "language": "en",
            "timezone": "Mars/Olympus",
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "This birthday is not a real date." in page
    assert "Mars/Olympus is not an IANA time zone." in page
    assert not Contact.objects.exists()


def test_it_refuses_a_second_contact_with_the_same_email_in_any_case(marketer_client):
    account = AccountFactory()
    ContactFactory(account=account, email="Ana@Acme.test")

    response = marketer_client.post(
        f"/accounts/{account.pk}/contacts/new/",
        {"email": "ana@acme.test", "language": "en", "timezone": "UTC"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": ["This account already has a contact with this email."]
    }
    assert Contact.objects.count() == 1


def test_a_contact_keeps_its_own_email_when_edited(marketer_client):
    contact = ContactFactory(email="ana@acme.test")

    response = marketer_client.post(
        f"/accounts/{contact.account_id}/contacts/{contact.pk}/",
        {"last_name": "Lima", "email": "ANA@acme.test", "language": "en", "timezone": "UTC"},
    )

    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.last_name, contact.email) == ("Lima", "ANA@acme.test")


def test_the_same_email_may_be_a_contact_in_another_account(marketer_client):
    ContactFactory(email="ana@acme.test")
    other = AccountFactory()

    response = marketer_client.post(
        f"/accounts/{other.pk}/contacts/new/",
        {"email": "ana@acme.test", "language": "en", "timezone": "UTC"},
    )

    assert response.status_code == 302
    assert Contact.objects.filter(email="ana@acme.test").count() == 2


def test_a_contact_cannot_be_edited_through_another_accounts_address(marketer_client):
    contact = ContactFactory(first_name="Ana")
    other = AccountFactory()

    response = marketer_client.post(
        f"/accounts/{other.pk}/contacts/{contact.pk}/",
        {"first_name": "Hijacked", "email": "x@y.test", "language": "en", "timezone": "UTC"},
    )

    assert response.status_code == 404
    contact.refresh_from_db()
    assert contact.first_name == "Ana"
    assert not other.contacts.exists()


def test_a_marketer_adds_a_subscription_and_the_account_becomes_a_customer(marketer_client):
    account = AccountFactory()

    response = marketer_client.post(
        f"/accounts/{account.pk}/subscriptions/new/",
        {"plan": "Pro", "mrr": "249.99", "quantity": 3, "started_on": today().isoformat()},
    )

    subscription = Subscription.objects.get()
    assert subscription.account == account
    assert subscription.mrr == Decimal("249.99")
    assert response["Location"] == account.get_absolute_url()
    assert Account.objects.with_status().get(pk=account.pk).status == "customer"


def test_a_marketer_ends_a_subscription(marketer_client):
    subscription = SubscriptionFactory(started_on=days_ago(30))

    response = marketer_client.post(
        f"/accounts/{subscription.account_id}/subscriptions/{subscription.pk}/",
        {
            "plan": "Pro",
            "mrr": "100.00",
            "quantity": 1,
            "started_on": days_ago(30).isoformat(),
            "ended_on": today().isoformat(),
            "cancel_type": "involuntary",
            "cancel_reason": "Card declined",
        },
    )

    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.ended_on, subscription.cancel_type) == (today(), "involuntary")
    assert Account.objects.with_status().get(pk=subscription.account_id).status == "churned"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"mrr": "100.00", "started_on": "2024-03-01", "ended_on": "2024-02-01"},
            "ended_on",
            "The end must be after the start (it is the first day without service).",
        ),
        (
            {"mrr": "100.00", "started_on": "2024-03-01", "ended_on": "2024-03-01"},
            "ended_on",
            "The end must be after the start (it is the first day without service).",
        ),
        (
            {"mrr": "-5.00", "started_on": "2024-03-01"},
            "mrr",
            "Ensure this value is greater than or equal to 0.00.",
        ),
        (
            {"mrr": "100.00", "started_on": "2024-03-01", "cancel_type": "voluntary"},
            "cancel_type",
            "Only an ended subscription has a cancellation type.",
        ),
    ],
)
def test_an_invalid_subscription_is_shown_again_with_its_error_and_not_saved(
    marketer_client, fields, field, message
):
    account = AccountFactory()

    response = marketer_client.post(
        f"/accounts/{account.pk}/subscriptions/new/", {"quantity": 1, **fields}
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/new/",
        "/accounts/{account}/edit/",
        "/accounts/{account}/contacts/new/",
        "/accounts/{account}/contacts/{contact}/",
        "/accounts/{account}/subscriptions/new/",
        "/accounts/{account}/subscriptions/{subscription}/",
    ],
)
def test_a_viewer_may_not_open_or_post_a_form(viewer_client, path):
    contact = ContactFactory(first_name="Ana")
    subscription = SubscriptionFactory(account=contact.account, mrr=Decimal("10.00"))
    url = path.format(account=contact.account_id, contact=contact.pk, subscription=subscription.pk)
    data = {
        "name": "Changed",
        "first_name": "Changed",
        "email": "changed@x.test",
        "language": "en",
        "timezone": "UTC",
        "mrr": "999.00",
        "quantity": 1,
        "started_on": "2024-01-01",
    }

    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url, data).status_code == 403

    assert Account.objects.count() == 1
    assert Account.objects.get().name != "Changed"
    assert list(Contact.objects.values_list("first_name", flat=True)) == ["Ana"]
    assert list(Subscription.objects.values_list("mrr", flat=True)) == [Decimal("10.00")]


def test_a_marketer_sees_the_forms(marketer_client):
    contact = ContactFactory()
    subscription = SubscriptionFactory(account=contact.account)
    account = contact.account

    for url in [
        "/accounts/new/",
        f"/accounts/{account.pk}/edit/",
        f"/accounts/{account.pk}/contacts/new/",
        f"/accounts/{account.pk}/contacts/{contact.pk}/",
        f"/accounts/{account.pk}/subscriptions/new/",
        f"/accounts/{account.pk}/subscriptions/{subscription.pk}/",
    ]:
        response = marketer_client.get(url)
        assert response.status_code == 200, url
        assert b'<form method="post"' in response.content


# Escaping


def test_a_script_in_an_account_name_is_shown_as_text(viewer_client, marketer_client):
    account = customer(XSS)

    pages = [
        viewer_client.get(LIST_URL),
        viewer_client.get(account.get_absolute_url()),
        marketer_client.get(f"/accounts/{account.pk}/edit/"),
    ]

    for response in pages:
        assert XSS not in response.content.decode()
        assert ESCAPED_XSS in response.content.decode()


def test_a_script_in_contact_and_subscription_text_is_shown_as_text(viewer_client):
    account = AccountFactory()
    ContactFactory(account=account, first_name=XSS, last_name=XSS)
    SubscriptionFactory(
        account=account,
        plan=XSS,
        started_on=days_ago(10),
        ended_on=today(),
        cancel_type="voluntary",
        cancel_reason=XSS,
    )

    response = viewer_client.get(account.get_absolute_url())

    page = response.content.decode()
    assert XSS not in page
    assert page.count(ESCAPED_XSS) >= 4
