"""Account-level NPS and CSAT over the last 180 days: the numbers, the account page's
"Satisfaction" section and the NPS column of the accounts list."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Account
from lifecycle.lib.dates import day_start
from surveys.models import FollowUp, FollowUpStatus
from surveys.rollups import account_scores, window, with_nps
from surveys.scoring import nps
from tests.factories import (
    AccountFactory,
    ContactFactory,
    InvitationFactory,
    ResponseFactory,
    SubscriptionFactory,
    UserFactory,
    survey,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 30)
LIST_URL = "/accounts/"
XSS = "<script>alert(1)</script>"


def today() -> dt.date:
    return timezone.localdate()


def noon(day: dt.date) -> dt.datetime:
    return day_start(day) + dt.timedelta(hours=12)


def answers(account: Account, kind: str, scores: list[int], when: dt.datetime | None = None):
    """One response per score, each from a new contact of `account`."""
    made = []
    for score in scores:
        contact = ContactFactory(account=account)
        invitation = InvitationFactory(survey=survey(kind), contact=contact, account=account)
        made.append(
            ResponseFactory(invitation=invitation, score=score, submitted_at=when or timezone.now())
        )
    return made


def scores_of(account: Account, on: dt.date = TODAY) -> dict:
    return account_scores(account, today=on)


def list_nps(account: Account, on: dt.date = TODAY) -> float | None:
    return with_nps(Account.objects.filter(pk=account.pk), today=on).get().nps_180


# The numbers


def test_nps_is_promoters_minus_detractors_over_all_nps_answers():
    account = AccountFactory()
    answers(account, "nps", [10, 9, 9, 8, 7, 6, 0], when=noon(TODAY))  # 3 promoters, 2 detractors

    scores = scores_of(account)

    assert (scores["nps_responses"], scores["promoters"], scores["detractors"]) == (7, 3, 2)
    assert scores["nps"] == 14.3  # 100 * 1 / 7 = 14.2857...


def test_csat_is_the_share_of_four_and_five_answers():
    account = AccountFactory()
    answers(account, "csat", [5, 4, 3, 1], when=noon(TODAY))

    scores = scores_of(account)

    assert scores["csat"] == 0.5
    assert scores["csat_responses"] == 4
    assert scores["csat_average"] == 3.25


def test_an_account_without_answers_has_no_scores_rather_than_zero():
    account = AccountFactory()

    scores = scores_of(account)

    assert scores["nps"] is None
    assert scores["csat"] is None
    assert list_nps(account) is None


def test_the_window_is_the_last_180_days_today_included_in_the_site_time_zone(settings):
    settings.TIME_ZONE = "America/New_York"
    account = AccountFactory()
    first_day = TODAY - dt.timedelta(days=179)
    answers(account, "nps", [10], when=day_start(first_day))  # first instant of the window
    answers(account, "nps", [0], when=day_start(first_day) - dt.timedelta(seconds=1))
    answers(account, "nps", [0], when=day_start(TODAY + dt.timedelta(days=1)))  # tomorrow

    start, end = window(TODAY)

    assert (end - start) == dt.timedelta(days=180)
    assert scores_of(account)["nps"] == 100.0
    assert list_nps(account) == 100.0


def test_other_accounts_and_other_kinds_do_not_count():
    account = AccountFactory()
    answers(account, "nps", [10], when=noon(TODAY))
    answers(account, "ces", [1], when=noon(TODAY))
    answers(AccountFactory(), "nps", [0, 0], when=noon(TODAY))

    assert scores_of(account)["nps"] == 100.0
    assert scores_of(account)["csat"] is None


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([10] * 5 + [0] * 4 + [8] * 7, 6.3),  # 100 * 1 / 16 = 6.25, half rounds away from 0
        ([10] * 4 + [0] * 5 + [8] * 7, -6.3),
        ([10, 0, 8], 0.0),
        ([9, 9, 0], 33.3),
        ([6, 6, 9], -33.3),
        ([0], -100.0),
    ],
)
def test_the_accounts_list_and_the_account_page_agree_to_the_decimal(scores, expected):
    account = AccountFactory()
    answers(account, "nps", scores, when=noon(TODAY))
    promoters = sum(score >= 9 for score in scores)
    detractors = sum(score <= 6 for score in scores)

    assert nps(promoters, detractors, len(scores)) == expected
    assert scores_of(account)["nps"] == expected
    assert list_nps(account) == expected


# The account page


def test_the_account_page_shows_the_satisfaction_section(viewer_client):
    account = AccountFactory()
    answers(account, "nps", [10, 10, 3])
    answers(account, "csat", [5, 2])

    response = viewer_client.get(account.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    assert "Satisfaction" in page
    assert '<p class="stat-value">33.3</p>' in page
    assert '<p class="stat-value">50.0%</p>' in page
    assert f'href="/surveys/responses/?account={account.pk}"' in page


def test_the_score_history_chart_gets_every_nps_and_csat_answer_as_json(viewer_client):
    account = AccountFactory()
    older = timezone.now() - dt.timedelta(days=400)
    answers(account, "nps", [4], when=older)
    answers(account, "nps", [9])
    answers(account, "csat", [5])
    answers(account, "ces", [2])  # not charted

    page = viewer_client.get(account.get_absolute_url()).content.decode()

    found = re.search(r'id="account-scores-data"[^>]*>(.*?)</script>', page).group(1)
    chart = json.loads(found)
    assert [point["y"] for point in chart["nps"]] == [4, 9]  # oldest first
    assert [point["y"] for point in chart["csat"]] == [5]
    assert chart["nps"][0]["x"] == int(older.timestamp() * 1000)
    assert "js/account-scores.js" in page
    assert 'id="account-scores-chart"' in page


def test_an_account_without_answers_shows_no_chart(viewer_client):
    account = AccountFactory()

    page = viewer_client.get(account.get_absolute_url()).content.decode()

    assert "No NPS or CSAT answers in the last two years." in page
    assert "account-scores.js" not in page


def test_the_account_page_lists_the_latest_answers_with_their_comments_escaped(viewer_client):
    account = AccountFactory()
    (answered,) = answers(account, "nps", [2])
    answered.comment = XSS
    answered.save()

    page = viewer_client.get(account.get_absolute_url()).content.decode()

    assert XSS not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert f'href="{answered.get_absolute_url()}"' in page


def test_the_account_page_lists_only_open_follow_up_items(viewer_client):
    account = AccountFactory()
    assignee = UserFactory(first_name="Road", last_name="Runner")
    (low,) = answers(account, "nps", [2])
    low.comment = "Rockets explode"
    low.save()
    open_item = FollowUp.objects.create(
        account=account, response=low, reasons="detractor,score_drop", assignee=assignee
    )
    closed = FollowUp.objects.create(
        account=account, reasons="unhappy", status=FollowUpStatus.CLOSED
    )

    page = viewer_client.get(account.get_absolute_url()).content.decode()

    items = re.search(r'aria-labelledby="open-follow-ups-title".*?</section>', page, re.S)[0]
    assert f'href="{open_item.get_absolute_url()}">NPS detractor, Score dropped</a>' in items
    assert f'href="{closed.get_absolute_url()}"' not in items
    assert "Road Runner" in items
    assert (low.contact.full_name or low.contact.email) in items
    assert 'data-band="low"' in items and ">2</span>" in items
    assert "Rockets explode" in items


def test_the_account_page_costs_the_same_queries_for_few_and_many_answers(
    viewer_client, django_assert_max_num_queries
):
    account = AccountFactory()
    _promoter, low = answers(account, "nps", [9, 3])
    FollowUp.objects.create(
        account=account, response=low, reasons="detractor", assignee=UserFactory()
    )
    url = account.get_absolute_url()
    viewer_client.get(url)
    with CaptureQueriesContext(connection) as with_few:
        viewer_client.get(url)
    answers(account, "nps", [1, 5, 10] * 5)
    for unhappy in answers(account, "csat", [1, 5] * 5)[::2]:
        FollowUp.objects.create(
            account=account, response=unhappy, reasons="unhappy", assignee=UserFactory()
        )

    with django_assert_max_num_queries(len(with_few)):
        viewer_client.get(url)


# The accounts list


def nps_cell(response, account: Account) -> str:
    page = response.content.decode()
    row = re.search(rf"<tr>(?:(?!</tr>).)*>{account.name}</a>(?:(?!</tr>).)*</tr>", page, re.S)
    return re.search(r"<td class=\"num\" data-nps>(.*?)</td>", row.group(0)).group(1)


def test_the_accounts_list_shows_each_accounts_nps_of_the_last_180_days(viewer_client):
    loved = AccountFactory(name="Loved")
    answers(loved, "nps", [10, 9, 7])
    answers(loved, "nps", [0, 0], when=timezone.now() - dt.timedelta(days=200))  # too old
    mixed = AccountFactory(name="Mixed")
    answers(mixed, "nps", [10, 0, 5])
    silent = AccountFactory(name="Silent")

    response = viewer_client.get(LIST_URL)

    assert "NPS (180 days)" in response.content.decode()
    assert nps_cell(response, loved) == "66.7"
    assert nps_cell(response, mixed) == "-33.3"
    assert nps_cell(response, silent) == "—"


def test_the_accounts_list_costs_the_same_queries_with_3_and_30_surveyed_accounts(
    viewer_client, django_assert_max_num_queries
):
    def surveyed(count: int) -> None:
        for _ in range(count):
            account = AccountFactory(owner=UserFactory())
            SubscriptionFactory(account=account, started_on=today() - dt.timedelta(days=30))
            answers(account, "nps", [10, 3])

    surveyed(3)
    viewer_client.get(LIST_URL)
    with CaptureQueriesContext(connection) as with_three:
        viewer_client.get(LIST_URL)
    surveyed(27)

    with django_assert_max_num_queries(len(with_three)):
        response = viewer_client.get(LIST_URL)

    assert len(response.context["page"]) == 30
    assert {account.nps_180 for account in response.context["page"]} == {0.0}
