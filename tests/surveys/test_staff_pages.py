"""The staff survey pages: the answers, one answer, and the follow-up items staff work on."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from surveys.models import FollowUp, FollowUpComment, FollowUpReason, FollowUpStatus
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

RESPONSES = reverse("surveys:responses")
FOLLOW_UPS = reverse("surveys:follow-ups")
XSS = "<script>alert(1)</script>"
ESCAPED_XSS = "&lt;script&gt;alert(1)&lt;/script&gt;"


def answer(kind: str = "nps", score: int = 9, **fields: object):
    """A response to the default survey of `kind`, for a new contact of a new account."""
    invitation = InvitationFactory(survey=survey(kind), **fields.pop("invitation", {}))
    return ResponseFactory(invitation=invitation, score=score, **fields)


def answer_for(account, kind: str = "nps", score: int = 9, **fields: object):
    contact = ContactFactory(account=account)
    return answer(kind, score, invitation={"contact": contact, "account": account}, **fields)


def follow_up(response=None, reasons: str = FollowUpReason.DETRACTOR, **fields: object):
    response = response or answer("nps", 3)
    return FollowUp.objects.create(
        account=response.account, response=response, reasons=reasons, **fields
    )


def listed(page) -> list[int]:
    return [row.pk for row in page.context["page"]]


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def detail_url(item) -> str:
    return reverse("surveys:follow-up-detail", args=[item.pk])


# Access


@pytest.mark.parametrize(
    "url",
    [
        RESPONSES,
        reverse("surveys:response-detail", args=[1]),
        FOLLOW_UPS,
        reverse("surveys:follow-up-detail", args=[1]),
    ],
)
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_a_user_without_a_role_sees_no_survey_page(outsider_client):
    answered = answer()
    item = follow_up(answered)

    for url in [
        RESPONSES,
        answered.get_absolute_url(),
        FOLLOW_UPS,
        item.get_absolute_url(),
    ]:
        assert outsider_client.get(url).status_code == 403


@pytest.mark.parametrize("persona", ["viewer_client", "marketer_client", "admin_client_"])
def test_every_role_reads_the_survey_pages(request, persona):
    client = request.getfixturevalue(persona)
    answered = answer()
    item = follow_up(answered)

    for url in [RESPONSES, answered.get_absolute_url(), FOLLOW_UPS, item.get_absolute_url()]:
        assert client.get(url).status_code == 200, url


def test_the_navigation_has_a_surveys_item_marked_current_on_survey_pages(viewer_client):
    page = viewer_client.get(FOLLOW_UPS).content.decode()

    assert f'<a href="{RESPONSES}" aria-current="page">Surveys</a>' in page
    assert f'href="{FOLLOW_UPS}" aria-current="page">Follow-ups</a>' in page


def test_the_surveys_item_is_not_current_on_other_pages(viewer_client):
    page = viewer_client.get("/accounts/").content.decode()

    assert f'<a href="{RESPONSES}">Surveys</a>' in page


# The responses page


def test_it_lists_responses_newest_first_with_contact_account_survey_and_comment(
    viewer_client,
):
    account = AccountFactory(name="Acme")
    contact = ContactFactory(account=account, first_name="Wile", last_name="Coyote")
    old = answer(
        "nps",
        10,
        invitation={"contact": contact, "account": account},
        comment="Great rockets",
        submitted_at=timezone.now() - dt.timedelta(days=3),
        language="es",
    )
    new = answer("csat", 2, comment="Late delivery")

    response = viewer_client.get(RESPONSES)

    assert response.status_code == 200
    assert listed(response) == [new.pk, old.pk]
    page = response.content.decode()
    row = re.search(rf'<tr data-response="{old.pk}">.*?</tr>', page, re.S).group(0)
    assert "Wile Coyote" in row
    assert ">Acme</a>" in row
    assert "Great rockets" in row
    assert "<td>es</td>" in row
    assert 'data-band="high"' in row
    assert "badge-customer" in row
    assert survey("nps").name in row
    assert 'data-band="low"' in page  # CSAT 2 is unhappy


def test_a_script_in_a_comment_is_shown_as_text(viewer_client):
    answered = answer(comment=XSS)

    for url in [RESPONSES, answered.get_absolute_url()]:
        page = viewer_client.get(url).content.decode()
        assert XSS not in page
        assert ESCAPED_XSS in page


@pytest.mark.parametrize(
    ("band", "expected"),
    [
        ("low", ["nps 6", "csat 2"]),
        ("neutral", ["nps 7", "csat 3"]),
        ("high", ["nps 9", "csat 4"]),
    ],
)
def test_the_score_filter_uses_the_band_of_each_surveys_scale(viewer_client, band, expected):
    for kind, score in [("nps", 6), ("nps", 7), ("nps", 9), ("csat", 2), ("csat", 3), ("csat", 4)]:
        answer(kind, score)

    response = viewer_client.get(RESPONSES, {"band": band})

    found = sorted(f"{row.kind} {row.score}" for row in response.context["page"])
    assert found == sorted(expected)


def test_the_survey_filter_keeps_one_survey(viewer_client):
    nps = answer("nps", 9)
    answer("csat", 5)

    response = viewer_client.get(RESPONSES, {"survey": survey("nps").pk})

    assert listed(response) == [nps.pk]


def test_the_period_is_half_open_in_the_site_time_zone(viewer_client, settings):
    settings.TIME_ZONE = "America/New_York"
    zone = zoneinfo.ZoneInfo("America/New_York")
    before = answer(submitted_at=dt.datetime(2024, 2, 29, 23, 59, tzinfo=zone))
    first = answer(submitted_at=dt.datetime(2024, 3, 1, 0, 0, tzinfo=zone))
    last = answer(submitted_at=dt.datetime(2024, 3, 31, 23, 59, tzinfo=zone))
    answer(submitted_at=dt.datetime(2024, 4, 1, 0, 0, tzinfo=zone))  # the end is excluded

    response = viewer_client.get(RESPONSES, {"start": "2024-03-01", "end": "2024-04-01"})

    assert listed(response) == [last.pk, first.pk]
    assert before.submitted_at.astimezone(dt.UTC).date() == dt.date(2024, 3, 1)  # UTC disagrees


def test_an_end_before_the_start_is_an_error_not_a_crash(viewer_client):
    answer()

    response = viewer_client.get(RESPONSES, {"start": "2024-03-01", "end": "2024-03-01"})

    assert response.status_code == 200
    assert "The end must be after the start" in response.content.decode()


def test_the_segment_filters_keep_the_answers_of_matching_accounts(viewer_client):
    owner = UserFactory()
    small = AccountFactory(industry="Retail", country="DE", employees=8, owner=owner)
    large = AccountFactory(industry="Software", country="US", employees=5000)
    in_small = answer_for(small)
    in_large = answer_for(large)

    def found(**params: object) -> list[int]:
        return listed(viewer_client.get(RESPONSES, params))

    assert found(industry="Retail") == [in_small.pk]
    assert found(country="US") == [in_large.pk]
    assert found(employees="1-10") == [in_small.pk]
    assert found(owner=owner.pk) == [in_small.pk]
    assert found(account=large.pk) == [in_large.pk]


def test_the_mrr_filter_uses_the_accounts_mrr_today(viewer_client):
    big = AccountFactory()
    SubscriptionFactory(account=big, mrr=Decimal("12000.00"), started_on=dt.date(2020, 1, 1))
    in_big = answer_for(big)
    answer()  # CustomerContactFactory's account pays 100

    response = viewer_client.get(RESPONSES, {"mrr": "10000+"})

    assert listed(response) == [in_big.pk]


def test_the_comment_filter_keeps_answers_with_or_without_a_comment(viewer_client):
    talkative = answer(comment="Too expensive")
    silent = answer(comment="")

    assert listed(viewer_client.get(RESPONSES, {"has_comment": "true"})) == [talkative.pk]
    assert listed(viewer_client.get(RESPONSES, {"has_comment": "false"})) == [silent.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"survey": "x"},
        {"band": "huge"},
        {"start": "2024-13-45"},
        {"end": "yesterday"},
        {"account": "99999999999999999999"},
        {"account": "-1"},
        {"owner": "abc"},
        {"mrr": "lots"},
        {"page": "999"},
        {"has_comment": "maybe"},
        {"q": "\x00"},
    ],
)
def test_hostile_filter_values_never_break_the_page(viewer_client, params):
    answer()

    assert viewer_client.get(RESPONSES, params).status_code == 200


def test_the_responses_page_costs_the_same_queries_for_3_and_for_30_answers(
    viewer_client, django_assert_max_num_queries
):
    for i in range(3):
        answer("nps" if i % 2 else "csat", 3, comment="Hmm")
    viewer_client.get(RESPONSES)  # warm the per-process caches
    with CaptureQueriesContext(connection) as with_three:
        viewer_client.get(RESPONSES)
    for i in range(27):
        answer("nps" if i % 2 else "csat", 3, comment="Hmm")

    with django_assert_max_num_queries(len(with_three)):
        response = viewer_client.get(RESPONSES)

    assert len(response.context["page"]) == 30


def test_the_list_keeps_its_filters_across_pages(viewer_client):
    for _ in range(51):
        answer(comment="x")

    first = viewer_client.get(RESPONSES, {"has_comment": "true"}).content.decode()

    assert 'href="?has_comment=true&amp;page=2"' in first


# One response


def test_the_response_page_shows_the_answer_its_history_and_its_follow_up_items(
    viewer_client,
):
    account = AccountFactory(name="Acme")
    answered = answer_for(account, score=3, comment="Slow support")
    answered.revisions.create(score=8, comment="", recorded_at=timezone.now())
    answered.revisions.create(score=3, comment="Slow support", recorded_at=timezone.now())
    item = follow_up(answered)

    response = viewer_client.get(answered.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    assert "Slow support" in page
    assert [r.score for r in response.context["revisions"]] == [8, 3]
    assert f'href="{account.get_absolute_url()}"' in page
    assert f'href="{item.get_absolute_url()}"' in page
    assert answered.contact.email in page


def test_an_unknown_response_is_not_found(viewer_client):
    assert viewer_client.get(reverse("surveys:response-detail", args=[999999])).status_code == 404


# Follow-up items: the list


def test_the_follow_up_list_shows_open_items_by_default(viewer_client):
    open_item = follow_up()
    follow_up(status=FollowUpStatus.CLOSED, closed_at=timezone.now())

    response = viewer_client.get(FOLLOW_UPS)

    assert listed(response) == [open_item.pk]


def test_the_follow_up_list_shows_closed_or_all_items_on_request(viewer_client):
    open_item = follow_up()
    closed = follow_up(status=FollowUpStatus.CLOSED, closed_at=timezone.now())

    assert listed(viewer_client.get(FOLLOW_UPS, {"status": "closed"})) == [closed.pk]
    assert set(listed(viewer_client.get(FOLLOW_UPS, {"status": "all"}))) == {
        open_item.pk,
        closed.pk,
    }


def test_the_follow_up_list_filters_by_reason_and_assignee(marketer_client, marketer, viewer):
    mine = follow_up(assignee=marketer)
    theirs = follow_up(reasons="detractor,score_drop", assignee=viewer)
    nobodys = follow_up(answer("csat", 1), reasons=FollowUpReason.UNHAPPY)
    dropped = follow_up(answer("nps", 7), reasons=FollowUpReason.SCORE_DROP, assignee=viewer)

    def found(**params: object) -> list[int]:
        return sorted(listed(marketer_client.get(FOLLOW_UPS, params)))

    assert found(assignee="mine") == [mine.pk]
    assert found(assignee="none") == [nobodys.pk]
    assert found(assignee=viewer.pk) == sorted([theirs.pk, dropped.pk])
    # An item of two reasons is found by either.
    assert found(reason="score_drop") == sorted([theirs.pk, dropped.pk])
    assert found(reason="detractor") == sorted([mine.pk, theirs.pk])
    assert found(reason="unhappy") == [nobodys.pk]


def test_the_follow_up_list_shows_each_items_answer_and_all_its_reasons(viewer_client):
    contact = ContactFactory(first_name="Wile", last_name="Coyote")
    answered = answer(
        "nps",
        3,
        invitation={"contact": contact, "account": contact.account},
        comment="Rockets explode",
    )
    item = follow_up(answered, reasons="detractor,score_drop")
    FollowUpComment.objects.create(follow_up=item, body="Called them")

    response = viewer_client.get(FOLLOW_UPS)

    page = response.content.decode()
    row = re.search(rf'<tr data-follow-up="{item.pk}">.*?</tr>', page, re.S).group(0)
    assert "NPS detractor, Score dropped" in row
    assert 'data-band="low"' in row and ">3</span>" in row
    assert "Wile Coyote" in row
    assert "Rockets explode" in row
    assert response.context["page"][0].comment_count == 1


def test_an_unknown_status_falls_back_to_the_open_items(viewer_client):
    open_item = follow_up()
    follow_up(status=FollowUpStatus.CLOSED, closed_at=timezone.now())

    assert listed(viewer_client.get(FOLLOW_UPS, {"status": "<b>"})) == [open_item.pk]


@pytest.mark.parametrize("params", [{"status": "x"}, {"assignee": "42abc"}, {"reason": "?"}])
def test_hostile_follow_up_filters_never_break_the_page(viewer_client, params):
    follow_up()

    assert viewer_client.get(FOLLOW_UPS, params).status_code == 200


def test_the_follow_up_list_costs_the_same_queries_for_3_and_for_30_items(
    viewer_client, viewer, django_assert_max_num_queries
):
    def items(count: int) -> None:
        for i in range(count):
            item = follow_up(answer("nps", 3, comment="Slow"), reasons="detractor,score_drop")
            item.assignee = viewer if i % 2 else UserFactory()
            item.save()
            FollowUpComment.objects.create(follow_up=item, body="Noted", author=viewer)

    items(3)
    viewer_client.get(FOLLOW_UPS)
    with CaptureQueriesContext(connection) as with_three:
        viewer_client.get(FOLLOW_UPS)
    items(27)

    with django_assert_max_num_queries(len(with_three)):
        response = viewer_client.get(FOLLOW_UPS)

    assert len(response.context["page"]) == 30
    assert response.content.decode().count("Slow") >= 30


# Follow-up items: what staff do


def test_a_marketer_assigns_an_item_to_a_colleague(marketer_client, viewer):
    item = follow_up()

    response = marketer_client.post(detail_url(item), {"action": "assign", "assignee": viewer.pk})

    assert response.status_code == 302
    assert response["Location"] == detail_url(item)
    item.refresh_from_db()
    assert item.assignee == viewer
    assert texts(response) == ["Assigned to viewer."]


def test_an_item_cannot_be_assigned_to_someone_without_a_role(marketer_client, outsider):
    item = follow_up()

    response = marketer_client.post(detail_url(item), {"action": "assign", "assignee": outsider.pk})

    assert response.status_code == 200
    assert response.context["assign_form"].errors
    item.refresh_from_db()
    assert item.assignee is None


def test_a_marketer_comments_on_an_item(marketer_client, marketer):
    item = follow_up()

    response = marketer_client.post(detail_url(item), {"action": "comment", "body": XSS})

    assert response.status_code == 302
    comment = item.comments.get()
    assert (comment.author, comment.body) == (marketer, XSS)
    page = marketer_client.get(detail_url(item)).content.decode()
    assert ESCAPED_XSS in page
    assert XSS not in page


def test_an_empty_comment_is_refused_with_an_error(marketer_client):
    item = follow_up()

    response = marketer_client.post(detail_url(item), {"action": "comment", "body": "  "})

    assert response.status_code == 200
    assert response.context["comment_form"].errors
    assert not item.comments.exists()


def test_a_marketer_closes_an_item_and_closing_it_again_changes_nothing(marketer_client):
    item = follow_up()

    first = marketer_client.post(detail_url(item), {"action": "close"})
    item.refresh_from_db()
    closed_at = item.closed_at
    second = marketer_client.post(detail_url(item), {"action": "close"})

    assert first.status_code == second.status_code == 302
    item.refresh_from_db()
    assert item.status == FollowUpStatus.CLOSED
    assert item.closed_at == closed_at is not None
    assert texts(second)[-1] == "The item was already closed."


def test_a_marketer_reopens_a_closed_item(marketer_client):
    item = follow_up(status=FollowUpStatus.CLOSED, closed_at=timezone.now())

    response = marketer_client.post(detail_url(item), {"action": "reopen"})

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.closed_at) == (FollowUpStatus.OPEN, None)


def test_a_closed_item_reopens_even_when_the_account_has_another_open_item(marketer_client):
    closed = follow_up(status=FollowUpStatus.CLOSED, closed_at=timezone.now())
    follow_up(answer_for(closed.account, score=1))

    response = marketer_client.post(detail_url(closed), {"action": "reopen"})

    assert response["Location"] == detail_url(closed)
    assert texts(response) == ["The item is open again."]
    closed.refresh_from_db()
    assert closed.status == FollowUpStatus.OPEN


def test_a_viewer_may_read_an_item_but_not_change_it(viewer_client):
    item = follow_up()

    page = viewer_client.get(detail_url(item)).content.decode()
    for action in ["assign", "comment", "close", "reopen"]:
        assert viewer_client.post(detail_url(item), {"action": action}).status_code == 403

    assert 'name="action"' not in page
    item.refresh_from_db()
    assert item.status == FollowUpStatus.OPEN


def test_an_anonymous_post_is_sent_to_the_login_page(client):
    item = follow_up()

    response = client.post(detail_url(item), {"action": "close"})

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    item.refresh_from_db()
    assert item.status == FollowUpStatus.OPEN


def test_an_unknown_action_is_a_bad_request(marketer_client):
    item = follow_up()

    assert marketer_client.post(detail_url(item), {"action": "explode"}).status_code == 400


def test_the_item_page_shows_its_answer_its_reasons_and_comments(viewer_client):
    contact = ContactFactory(first_name="Wile", last_name="Coyote", email="wile@acme.test")
    answered = answer(
        "nps",
        4,
        invitation={"contact": contact, "account": contact.account},
        comment="Missing features",
    )
    item = follow_up(answered, reasons="detractor,score_drop")
    FollowUpComment.objects.create(follow_up=item, body="Booked a call")

    page = viewer_client.get(detail_url(item)).content.decode()

    assert "NPS detractor, Score dropped" in page
    assert "Missing features" in page
    assert 'data-band="low"' in page and ">4</span>" in page
    assert "Wile Coyote &lt;wile@acme.test&gt;" in page
    assert f'href="{answered.get_absolute_url()}"' in page
    assert "Booked a call" in page
    assert f'href="{item.account.get_absolute_url()}"' in page


def test_the_item_page_says_so_when_the_customer_left_no_comment(viewer_client):
    item = follow_up(answer("nps", 2, comment=""))

    page = viewer_client.get(detail_url(item)).content.decode()

    assert "None: the customer gave only a score." in page


def test_an_item_without_an_answer_still_has_its_page(viewer_client):
    item = FollowUp.objects.create(account=AccountFactory(), reasons="unhappy")

    response = viewer_client.get(detail_url(item))

    assert response.status_code == 200
    assert "Unhappy CSAT" in response.content.decode()
    assert listed(viewer_client.get(FOLLOW_UPS)) == [item.pk]
