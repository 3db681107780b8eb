"""The accounts list sorts by any column a user clicks and downloads as CSV with the page's
filters and order, a spreadsheet-safe file whose cost does not grow with the accounts."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from tests.accounts.test_views import customer, full_account, listed_names
from tests.factories import AccountFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("accounts:list")
CSV_URL = reverse("accounts:list-csv")


@pytest.fixture
def three(db) -> None:
    """Beta 900 with two contacts, owned by Ann Zed; Alpha 50; Gamma 300, owned by Bob Young."""
    ann = UserFactory(username="zz-ann", first_name="Ann", last_name="Zed")
    bob = UserFactory(username="aa-bob", first_name="Bob", last_name="Young")
    beta = customer("Beta", "900.00", owner=ann, country="US", employees=40)
    ContactFactory.create_batch(2, account=beta)
    customer("Alpha", "50.00", country="DE", employees=4000)
    customer("Gamma", "300.00", owner=bob, country="FR", employees=12)


def download(client, params=None) -> list[dict[str, str]]:
    response = client.get(CSV_URL, params or {})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="accounts-')
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("", ["Alpha", "Beta", "Gamma"]),
        ("-name", ["Gamma", "Beta", "Alpha"]),
        ("-mrr", ["Beta", "Gamma", "Alpha"]),
        ("mrr", ["Alpha", "Gamma", "Beta"]),
        ("-contacts", ["Beta", "Alpha", "Gamma"]),
        ("owner", ["Beta", "Gamma", "Alpha"]),  # by name (Ann, Bob), not username; none last
        ("-employees", ["Alpha", "Beta", "Gamma"]),
        ("country", ["Alpha", "Gamma", "Beta"]),
        ("no-such-column", ["Alpha", "Beta", "Gamma"]),
    ],
)
def test_each_column_sorts_the_list(viewer_client, three, order, expected):
    response = viewer_client.get(LIST_URL, {"o": order} if order else {})

    assert response.status_code == 200
    assert listed_names(response) == expected


def test_a_header_link_sorts_by_its_column_and_then_reverses(viewer_client, three):
    page = viewer_client.get(LIST_URL, {"industry": ""}).content.decode()

    # Money sorts largest first on the first click; the filters stay in the link.
    assert re.search(r'aria-sort="none"><a class="sort-link" href="\?industry=&amp;o=-mrr"', page)
    assert re.search(
        r'aria-sort="ascending"><a class="sort-link" href="\?industry=&amp;o=-name"', page
    )
    page = viewer_client.get(LIST_URL, {"o": "-mrr"}).content.decode()
    assert re.search(r'aria-sort="descending"><a class="sort-link" href="\?o=mrr">MRR', page)


def test_the_csv_holds_every_filtered_account_in_the_pages_order(viewer_client, three):
    rows = download(viewer_client, {"o": "-mrr", "status": "customer"})

    assert [row["name"] for row in rows] == ["Beta", "Gamma", "Alpha"]
    assert rows[0] == {
        "external_id": rows[0]["external_id"],
        "name": "Beta",
        "status": "customer",
        "mrr": "900.00",
        "industry": rows[0]["industry"],
        "employees": "40",
        "country": "US",
        "owner": "Ann Zed",
        "owner_email": rows[0]["owner_email"],
        "contacts": "2",
        "referenceable": "false",
    }
    assert [row["name"] for row in download(viewer_client, {"country": "FR"})] == ["Gamma"]


def test_the_csv_is_not_paged(viewer_client):
    AccountFactory.create_batch(55)

    assert len(download(viewer_client)) == 55


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "＝", "＋"])
def test_a_name_that_a_spreadsheet_would_run_as_a_formula_is_made_text(viewer_client, start):
    AccountFactory(name=f'{start}HYPERLINK("http://evil.example")')

    (row,) = download(viewer_client)

    assert row["name"].startswith("'")


def test_the_csv_costs_the_same_queries_for_3_and_for_30_accounts(
    viewer_client, django_assert_max_num_queries
):
    for _ in range(30):
        full_account()

    with django_assert_max_num_queries(6):  # session, user, permissions, the accounts
        assert len(download(viewer_client)) == 30


def test_the_csv_needs_the_right_to_see_accounts(outsider_client, client):
    assert outsider_client.get(CSV_URL).status_code == 403
    assert client.get(CSV_URL).status_code == 302
