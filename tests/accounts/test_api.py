from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.models import Account, Contact, Subscription
from accounts.serializers import ContactSerializer
from tests.factories import (
    AccountFactory,
    ContactFactory,
    SubscriptionFactory,
    UserFactory,
    api_token,
)

ACCOUNTS = "/api/v1/accounts/"
CONTACTS = "/api/v1/contacts/"
SUBSCRIPTIONS = "/api/v1/subscriptions/"
# Token with its user, the two permission look-ups, the count and the page: 5 however many rows.
LIST_QUERY_BUDGET = 5


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def detail(base: str, pk: int) -> str:
    return f"{base}{pk}/"


@pytest.fixture
def viewer_api(viewer) -> APIClient:
    return api_as(viewer)


@pytest.fixture
def marketer_api(marketer) -> APIClient:
    return api_as(marketer)


@pytest.fixture
def account(db) -> Account:
    return AccountFactory(name="Acme", industry="Software", employees=42)


def subscription_payload(account: Account, /, **overrides: object) -> dict[str, object]:
    return {
        "account": account.pk,
        "plan": "Pro",
        "mrr": "99.90",
        "quantity": 3,
        "started_on": "2024-01-01",
        **overrides,
    }


def contact_payload(account: Account, /, **overrides: object) -> dict[str, object]:
    return {"account": account.pk, "email": "ana@example.com", "first_name": "Ana", **overrides}


# --- Authentication and permissions -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", [ACCOUNTS, CONTACTS, SUBSCRIPTIONS])
def test_anonymous_request_gets_401_with_a_token_challenge(url):
    response = APIClient().get(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("url", [ACCOUNTS, CONTACTS, SUBSCRIPTIONS])
def test_signed_in_user_without_a_role_gets_403(outsider, url):
    assert api_as(outsider).get(url).status_code == 403


def test_viewer_can_list_and_retrieve_accounts(viewer_api, account):
    listed = viewer_api.get(ACCOUNTS)
    retrieved = viewer_api.get(detail(ACCOUNTS, account.pk))

    assert listed.status_code == 200
    assert [row["name"] for row in listed.json()["results"]] == ["Acme"]
    assert retrieved.status_code == 200
    assert retrieved.json()["id"] == account.pk


@pytest.mark.parametrize(
    ("url", "payload"),
    [
        (ACCOUNTS, {"name": "New"}),
        (CONTACTS, {"email": "new@example.com"}),
        (SUBSCRIPTIONS, {"mrr": "1.00"}),
    ],
)
def test_viewer_can_neither_create_nor_update(viewer_api, account, url, payload):
    record = {
        ACCOUNTS: account,
        CONTACTS: ContactFactory(account=account),
        SUBSCRIPTIONS: SubscriptionFactory(account=account),
    }[url]
    if url != ACCOUNTS:
        payload = {**payload, "account": account.pk}

    assert viewer_api.post(url, payload, format="json").status_code == 403
    assert viewer_api.patch(detail(url, record.pk), payload, format="json").status_code == 403


@pytest.mark.parametrize("persona", ["viewer", "marketer", "admin_user"])
@pytest.mark.parametrize("url", [ACCOUNTS, CONTACTS, SUBSCRIPTIONS])
def test_nobody_can_delete_through_the_api(request, account, persona, url):
    record = {
        ACCOUNTS: account,
        CONTACTS: ContactFactory(account=account),
        SUBSCRIPTIONS: SubscriptionFactory(account=account),
    }[url]
    client = api_as(request.getfixturevalue(persona))

    response = client.delete(detail(url, record.pk))

    assert response.status_code == 405
    assert type(record).objects.filter(pk=record.pk).exists()


def test_a_real_token_header_authenticates(marketer, account):
    client = token_client(marketer)

    response = client.patch(detail(ACCOUNTS, account.pk), {"industry": "Retail"}, format="json")

    assert response.status_code == 200
    account.refresh_from_db()
    assert account.industry == "Retail"


@pytest.mark.django_db
def test_an_unknown_token_gets_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")

    assert client.get(ACCOUNTS).status_code == 401


def test_a_staff_session_authenticates(viewer_client, account):
    # The Django test client signs in through the session, as the browsable UI does.
    assert viewer_client.get(ACCOUNTS).status_code == 200


def test_the_api_root_lists_the_endpoints_to_staff_with_a_role(viewer_api, outsider):
    response = viewer_api.get("/api/v1/")

    assert response.status_code == 200
    assert {"accounts", "contacts", "subscriptions"} <= set(response.json())
    assert api_as(outsider).get("/api/v1/").status_code == 403
    assert APIClient().get("/api/v1/").status_code == 401


# --- Accounts ------------------------------------------------------------------------------


def test_account_shows_todays_mrr_status_band_and_owner(viewer_api, viewer):
    account = AccountFactory(employees=120, owner=viewer)
    SubscriptionFactory(account=account, mrr=Decimal("1000.25"), started_on=dt.date(2023, 5, 1))
    SubscriptionFactory(account=account, mrr=Decimal("234.25"), started_on=dt.date(2024, 1, 1))
    SubscriptionFactory(
        account=account,
        mrr=Decimal("50.00"),
        started_on=dt.date(2022, 1, 1),
        ended_on=dt.date(2022, 6, 1),
    )

    body = viewer_api.get(detail(ACCOUNTS, account.pk)).json()

    assert body["mrr"] == "1234.50"
    assert body["status"] == "customer"
    assert body["first_customer_day"] == "2022-01-01"
    assert body["employee_band"] == "51-200"
    assert body["owner"] == "viewer@example.com"


def test_account_that_stopped_paying_is_churned_and_one_that_never_paid_a_prospect(viewer_api):
    churned = AccountFactory(employees=None)
    SubscriptionFactory(
        account=churned, started_on=dt.date(2023, 1, 1), ended_on=dt.date(2023, 7, 1)
    )
    prospect = AccountFactory()

    churned_body = viewer_api.get(detail(ACCOUNTS, churned.pk)).json()
    prospect_body = viewer_api.get(detail(ACCOUNTS, prospect.pk)).json()

    assert (churned_body["status"], churned_body["mrr"]) == ("churned", "0.00")
    assert churned_body["employee_band"] is None
    assert (prospect_body["status"], prospect_body["first_customer_day"]) == ("prospect", None)


def test_marketer_creates_an_account_owned_by_email_and_gets_its_derived_fields(
    marketer_api, viewer
):
    payload = {
        "name": "Globex",
        "industry": "Energy",
        "employees": 8,
        "owner": "VIEWER@example.com",
    }

    response = marketer_api.post(ACCOUNTS, payload, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == "viewer@example.com"
    assert (body["status"], body["mrr"], body["employee_band"]) == ("prospect", "0.00", "1-10")
    assert Account.objects.get(pk=body["id"]).owner == viewer


def test_marketer_replaces_an_account_with_put_and_changes_one_field_with_patch(
    marketer_api, account
):
    put = marketer_api.put(
        detail(ACCOUNTS, account.pk),
        {"name": "Acme Ltd", "industry": "Retail", "employees": 5000, "country": "GB"},
        format="json",
    )
    patch = marketer_api.patch(detail(ACCOUNTS, account.pk), {"referenceable": True}, format="json")

    assert put.status_code == 200, put.json()
    assert put.json()["employee_band"] == "1001+"
    assert patch.status_code == 200
    account.refresh_from_db()
    assert (account.name, account.country, account.referenceable) == ("Acme Ltd", "GB", True)


def test_an_unknown_owner_email_is_a_400_on_owner(marketer_api):
    response = marketer_api.post(
        ACCOUNTS, {"name": "Initech", "owner": "nobody@example.com"}, format="json"
    )

    assert response.status_code == 400
    assert "nobody@example.com" in response.json()["owner"][0]


def test_an_owner_email_shared_by_two_users_is_a_400_not_a_500(marketer_api):
    UserFactory(username="twin1", email="twin@example.com")
    UserFactory(username="twin2", email="twin@example.com")

    response = marketer_api.post(
        ACCOUNTS, {"name": "Initech", "owner": "twin@example.com"}, format="json"
    )

    assert response.status_code == 400
    assert "owner" in response.json()


def test_the_owner_can_be_cleared_with_null(marketer_api, viewer):
    account = AccountFactory(owner=viewer)

    response = marketer_api.patch(detail(ACCOUNTS, account.pk), {"owner": None}, format="json")

    assert response.status_code == 200
    assert response.json()["owner"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "A", "country": "gb"}, "country"),
        ({"name": "A", "employees": -1}, "employees"),
        ({"name": ""}, "name"),
        ({"name": "A", "external_id": "acc-taken"}, "external_id"),
    ],
)
def test_invalid_account_is_a_400_naming_the_field(marketer_api, payload, field):
    AccountFactory(external_id="acc-taken")

    response = marketer_api.post(ACCOUNTS, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_blank_external_ids_are_stored_as_missing_so_they_never_collide(marketer_api):
    first = marketer_api.post(ACCOUNTS, {"name": "A", "external_id": ""}, format="json")
    second = marketer_api.post(ACCOUNTS, {"name": "B", "external_id": ""}, format="json")

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["external_id"] is None


# --- Contacts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "stored", "shown"),
    [
        ("1990-04-23", (1990, 4, 23), "1990-04-23"),
        ("--04-23", (None, 4, 23), "--04-23"),
        ("--02-29", (None, 2, 29), "--02-29"),
    ],
)
def test_contact_birthday_is_written_and_read_as_in_the_csv(
    marketer_api, account, sent, stored, shown
):
    response = marketer_api.post(CONTACTS, contact_payload(account, birthday=sent), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["birthday"] == shown
    contact = Contact.objects.get(pk=response.json()["id"])
    assert (contact.birth_year, contact.birth_month, contact.birth_day) == stored


def test_contact_birthday_is_cleared_with_null(marketer_api, account):
    contact = ContactFactory(account=account, birth_month=4, birth_day=23)

    response = marketer_api.patch(detail(CONTACTS, contact.pk), {"birthday": None}, format="json")

    assert response.status_code == 200
    assert response.json()["birthday"] is None
    contact.refresh_from_db()
    assert (contact.birth_month, contact.birth_day) == (None, None)


@pytest.mark.parametrize("birthday", ["--02-30", "1990-13-01", "23/04/1990", "--4-23", 19900423])
def test_a_birthday_that_is_not_a_real_date_is_a_400_on_birthday(marketer_api, account, birthday):
    response = marketer_api.post(
        CONTACTS, contact_payload(account, birthday=birthday), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["birthday"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"language": "english!"}, "language"),
        ({"email": "not-an-email"}, "email"),
        ({"account": 999999}, "account"),
    ],
)
def test_invalid_contact_is_a_400_naming_the_field(marketer_api, account, overrides, field):
    response = marketer_api.post(CONTACTS, contact_payload(account, **overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_a_second_contact_with_the_same_email_in_any_case_is_a_400_on_email(marketer_api, account):
    ContactFactory(account=account, email="ana@example.com")

    response = marketer_api.post(
        CONTACTS, contact_payload(account, email="ANA@Example.com"), format="json"
    )

    assert response.status_code == 400
    assert "email" in response.json()


def test_the_same_email_is_fine_at_another_account(marketer_api, account):
    ContactFactory(email="ana@example.com")

    response = marketer_api.post(CONTACTS, contact_payload(account), format="json")

    assert response.status_code == 201


def test_patching_a_contact_onto_a_colleagues_email_is_a_400(marketer_api, account):
    ContactFactory(account=account, email="ana@example.com")
    other = ContactFactory(account=account, email="bo@example.com")

    response = marketer_api.patch(
        detail(CONTACTS, other.pk), {"email": "Ana@example.com"}, format="json"
    )

    assert response.status_code == 400
    assert "email" in response.json()


def test_a_duplicate_that_slips_past_validation_in_a_race_is_still_a_400(
    marketer_api, account, monkeypatch
):
    # As if a concurrent request inserted the same email between validation and save.
    ContactFactory(account=account, email="ana@example.com")
    monkeypatch.setattr(ContactSerializer, "validate", lambda self, attrs: attrs)

    response = marketer_api.post(CONTACTS, contact_payload(account), format="json")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_a_contact_keeps_its_own_email_when_patched(marketer_api, account):
    contact = ContactFactory(account=account, email="ana@example.com")

    response = marketer_api.patch(detail(CONTACTS, contact.pk), {"language": "es"}, format="json")

    assert response.status_code == 200, response.json()


def test_unsubscribes_cannot_be_written_through_the_api(marketer_api, account):
    response = marketer_api.post(
        CONTACTS,
        contact_payload(account, unsubscribed_marketing_at="2024-01-01T00:00:00Z"),
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["unsubscribed_marketing_at"] is None


# --- Subscriptions -------------------------------------------------------------------------


def test_marketer_creates_a_subscription_and_reads_mrr_as_a_decimal_string(marketer_api, account):
    response = marketer_api.post(SUBSCRIPTIONS, subscription_payload(account), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["mrr"] == "99.90"
    assert Subscription.objects.get(pk=response.json()["id"]).account == account


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"mrr": "-1.00"}, "mrr"),
        ({"ended_on": "2024-01-01"}, "ended_on"),
        ({"ended_on": "2023-12-01"}, "ended_on"),
        ({"cancel_type": "voluntary"}, "cancel_type"),
        ({"cancel_type": "bored", "ended_on": "2024-02-01"}, "cancel_type"),
        ({"external_id": "sub-taken"}, "external_id"),
        ({"started_on": "yesterday"}, "started_on"),
    ],
)
def test_invalid_subscription_is_a_400_naming_the_field(marketer_api, account, overrides, field):
    SubscriptionFactory(external_id="sub-taken")

    response = marketer_api.post(
        SUBSCRIPTIONS, subscription_payload(account, **overrides), format="json"
    )

    assert response.status_code == 400
    assert field in response.json()


def test_patching_only_the_end_is_checked_against_the_stored_start(marketer_api, account):
    subscription = SubscriptionFactory(account=account, started_on=dt.date(2024, 3, 1))

    response = marketer_api.patch(
        detail(SUBSCRIPTIONS, subscription.pk), {"ended_on": "2024-02-01"}, format="json"
    )

    assert response.status_code == 400
    assert "ended_on" in response.json()
    subscription.refresh_from_db()
    assert subscription.ended_on is None


def test_an_ended_subscription_takes_a_cancellation(marketer_api, account):
    subscription = SubscriptionFactory(account=account, started_on=dt.date(2024, 3, 1))

    response = marketer_api.patch(
        detail(SUBSCRIPTIONS, subscription.pk),
        {"ended_on": "2024-09-01", "cancel_type": "involuntary", "cancel_reason": "card expired"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    subscription.refresh_from_db()
    assert (subscription.ended_on, subscription.cancel_type) == (dt.date(2024, 9, 1), "involuntary")


# --- Filters, ordering, pagination ---------------------------------------------------------


def names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["results"]]


def test_accounts_filter_by_industry_status_and_band(viewer_api):
    paying = AccountFactory(name="Paying", industry="Retail", employees=5)
    SubscriptionFactory(account=paying)
    AccountFactory(name="Lead", industry="Retail", employees=500)
    AccountFactory(name="Other", industry="Software", employees=5)

    assert names(viewer_api.get(ACCOUNTS, {"industry": "Retail"})) == ["Lead", "Paying"]
    assert names(viewer_api.get(ACCOUNTS, {"status": "customer"})) == ["Paying"]
    assert names(viewer_api.get(ACCOUNTS, {"band": "1-10"})) == ["Other", "Paying"]
    assert names(viewer_api.get(ACCOUNTS, {"industry": "Retail", "band": "201-1000"})) == ["Lead"]


def test_accounts_search_by_name_or_contact_email_with_q(viewer_api):
    AccountFactory(name="Umbrella")
    ContactFactory(account=AccountFactory(name="Hooli"), email="gavin@hooli.example")

    assert names(viewer_api.get(ACCOUNTS, {"q": "umbr"})) == ["Umbrella"]
    assert names(viewer_api.get(ACCOUNTS, {"q": "gavin@"})) == ["Hooli"]


def test_accounts_order_by_mrr(viewer_api):
    for name, mrr in [("Small", "10.00"), ("Big", "900.00"), ("Mid", "50.00")]:
        SubscriptionFactory(account=AccountFactory(name=name), mrr=Decimal(mrr))

    assert names(viewer_api.get(ACCOUNTS, {"ordering": "-mrr"})) == ["Big", "Mid", "Small"]


def test_an_unknown_filter_value_is_a_400(viewer_api):
    response = viewer_api.get(ACCOUNTS, {"status": "happy"})

    assert response.status_code == 400
    assert "status" in response.json()


def test_contacts_filter_by_account(viewer_api, account):
    mine = ContactFactory(account=account)
    ContactFactory()

    response = viewer_api.get(CONTACTS, {"account": account.pk})

    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_subscriptions_filter_by_active_on_with_the_end_day_exclusive(viewer_api, account):
    ended = SubscriptionFactory(
        account=account, started_on=dt.date(2024, 1, 1), ended_on=dt.date(2024, 3, 1)
    )
    ongoing = SubscriptionFactory(account=account, started_on=dt.date(2024, 2, 1))

    def active_on(day: str) -> set[int]:
        response = viewer_api.get(SUBSCRIPTIONS, {"active_on": day})
        return {row["id"] for row in response.json()["results"]}

    assert active_on("2024-02-29") == {ended.pk, ongoing.pk}
    assert active_on("2024-03-01") == {ongoing.pk}
    assert active_on("2023-12-31") == set()


def test_lists_are_paginated_fifty_to_a_page(viewer_api):
    AccountFactory.create_batch(51)

    first = viewer_api.get(ACCOUNTS).json()
    second = viewer_api.get(first["next"]).json()

    assert set(first) == {"count", "next", "previous", "results"}
    assert (first["count"], len(first["results"]), first["previous"]) == (51, 50, None)
    assert len(second["results"]) == 1
    assert second["next"] is None
    assert second["previous"] is not None


# --- Query counts --------------------------------------------------------------------------


def populate(count: int, owner) -> None:
    for _ in range(count):
        account = AccountFactory(owner=owner)
        ContactFactory.create_batch(2, account=account)
        SubscriptionFactory(account=account)
        SubscriptionFactory(
            account=account, started_on=dt.date(2020, 1, 1), ended_on=dt.date(2021, 1, 1)
        )


def queries_to_list(client: APIClient, url: str, assert_max_queries) -> int:
    with assert_max_queries(LIST_QUERY_BUDGET) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", [ACCOUNTS, CONTACTS, SUBSCRIPTIONS])
def test_listing_costs_the_same_few_queries_for_30_accounts_as_for_3(
    viewer, django_assert_max_num_queries, url
):
    # A real token: each request loads the user afresh, so permission look-ups recur.
    client = token_client(viewer)
    populate(3, owner=viewer)
    few = queries_to_list(client, url, django_assert_max_num_queries)

    populate(27, owner=UserFactory())
    many = queries_to_list(client, url, django_assert_max_num_queries)

    assert many == few
