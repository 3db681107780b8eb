"""The responses list sorts by its columns and downloads as CSV with the page's filters and
order: what a Delighted user exports to read the comments."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import AccountFactory
from tests.surveys.test_staff_pages import answer, answer_for

pytestmark = pytest.mark.django_db

RESPONSES = reverse("surveys:responses")
CSV_URL = reverse("surveys:responses-csv")


def download(client, params=None) -> list[dict[str, str]]:
    response = client.get(CSV_URL, params or {})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="survey-responses-')
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def three() -> list:
    now = timezone.now()
    return [
        answer_for(AccountFactory(name="Beta"), "nps", 3, comment="Slow", submitted_at=now),
        answer_for(
            AccountFactory(name="Alpha"),
            "nps",
            10,
            comment="",
            submitted_at=now - dt.timedelta(days=2),
        ),
        answer_for(
            AccountFactory(name="Gamma"),
            "nps",
            7,
            comment="Ok",
            submitted_at=now - dt.timedelta(days=1),
        ),
    ]


def accounts_listed(response) -> list[str]:
    return [row.account.name for row in response.context["page"]]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("", ["Beta", "Gamma", "Alpha"]),  # the latest first
        ("submitted", ["Alpha", "Gamma", "Beta"]),
        ("-score", ["Alpha", "Gamma", "Beta"]),
        ("score", ["Beta", "Gamma", "Alpha"]),
        ("account", ["Alpha", "Beta", "Gamma"]),
    ],
)
def test_each_column_sorts_the_answers(viewer_client, three, order, expected):
    response = viewer_client.get(RESPONSES, {"o": order} if order else {})

    assert accounts_listed(response) == expected


def test_the_default_order_shows_as_the_submitted_columns_state(viewer_client, three):
    page = viewer_client.get(RESPONSES).content.decode()

    assert 'aria-sort="descending"><a class="sort-link" href="?o=submitted">Submitted' in page


def test_the_csv_keeps_the_filters_order_and_every_comment(viewer_client, three):
    rows = download(viewer_client, {"has_comment": "true", "o": "score"})

    assert [(row["account"], row["score"], row["comment"]) for row in rows] == [
        ("Beta", "3", "Slow"),
        ("Gamma", "7", "Ok"),
    ]
    assert rows[0]["survey_kind"] == "nps" and "@" in rows[0]["contact_email"]
    assert dt.datetime.fromisoformat(rows[0]["submitted_at"]).tzinfo is not None


def test_a_comment_that_would_run_as_a_formula_is_made_text(viewer_client):
    answer("nps", 2, comment='=HYPERLINK("http://evil.example","click")')

    (row,) = download(viewer_client)

    assert row["comment"] == '\'=HYPERLINK("http://evil.example","click")'


def test_the_csv_costs_the_same_queries_for_3_and_for_30_answers(
    viewer_client, django_assert_max_num_queries
):
    for _ in range(30):
        answer("nps", 5, comment="Hmm")

    with django_assert_max_num_queries(6):  # session, user, permissions, the answers
        assert len(download(viewer_client)) == 30


def test_the_csv_needs_the_right_to_read_answers(outsider_client, client):
    assert outsider_client.get(CSV_URL).status_code == 403
    assert client.get(CSV_URL).status_code == 302
