"""Django admin for surveys: wording per language, read-only answers with their history,
follow-up items with comments, webhooks; changelists cost the same queries whatever their
length."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from surveys.models import (
    FollowUp,
    FollowUpStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from tests.factories import (
    CustomerContactFactory,
    InvitationFactory,
    ResponseFactory,
    UserFactory,
    survey,
)

pytestmark = pytest.mark.django_db

ADMIN = "/admin/surveys/"


def result_pks(response) -> list[int]:
    return sorted(row.pk for row in response.context["cl"].result_list)


def answered(kind: str = "nps", score: int = 9, **fields: object):
    invitation = InvitationFactory(survey=survey(kind), **fields.pop("invitation", {}))
    return ResponseFactory(invitation=invitation, score=score, **fields)


@pytest.mark.parametrize("persona", ["viewer_client", "marketer_client", "outsider_client"])
def test_a_user_who_is_not_an_admin_is_sent_away(request, persona):
    client = request.getfixturevalue(persona)

    response = client.get(f"{ADMIN}response/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_survey_shows_its_wording_in_each_language_inline(admin_client_):
    nps = survey("nps")

    response = admin_client_.get(f"{ADMIN}survey/{nps.pk}/change/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="texts-group"' in page
    for language in ["en", "es", "ru"]:
        assert f'<option value="{language}" selected>' in page


def test_responses_are_shown_with_their_revisions_but_not_edited(admin_client_):
    response_ = answered(comment="Nice")
    response_.revisions.create(score=9, comment="Nice", recorded_at=timezone.now())

    page = admin_client_.get(f"{ADMIN}response/{response_.pk}/change/").content.decode()

    assert 'id="revisions-group"' in page
    assert 'name="score"' not in page
    assert admin_client_.get(f"{ADMIN}response/add/").status_code == 403


def test_the_response_list_filters_by_kind_and_score_and_finds_a_contact_email(admin_client_):
    promoter = answered("nps", 10)
    unhappy = answered("csat", 1, invitation={"contact": CustomerContactFactory(email="e@x.io")})

    by_kind = admin_client_.get(f"{ADMIN}response/", {"kind__exact": "csat"})
    by_score = admin_client_.get(f"{ADMIN}response/", {"score": "10"})
    by_source = admin_client_.get(f"{ADMIN}response/", {"source__exact": "email"})
    by_email = admin_client_.get(f"{ADMIN}response/", {"q": "e@x.io"})

    assert result_pks(by_kind) == [unhappy.pk]
    assert result_pks(by_score) == [promoter.pk]
    assert result_pks(by_source) == sorted([promoter.pk, unhappy.pk])
    assert result_pks(by_email) == [unhappy.pk]


def test_invitations_are_read_only_and_found_by_contact_email(admin_client_):
    invitation = InvitationFactory(contact=CustomerContactFactory(email="road@acme.test"))
    InvitationFactory()

    found = admin_client_.get(f"{ADMIN}invitation/", {"q": "road@acme.test"})

    assert result_pks(found) == [invitation.pk]
    assert admin_client_.get(f"{ADMIN}invitation/add/").status_code == 403


def change_data(item, **fields: object) -> dict[str, object]:
    return {
        "account": item.account_id,
        "response": item.response_id or "",
        "reasons": item.reason_list,
        "status": item.status,
        "assignee": item.assignee_id or "",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        **fields,
    }


def test_a_comment_added_in_the_admin_is_signed_by_its_author(admin_client_, admin_user):
    answer = answered("nps", 2)
    item = FollowUp.objects.create(account=answer.account, response=answer, reasons="detractor")
    data = change_data(item, **{"comments-TOTAL_FORMS": "1", "comments-0-body": "Called them"})

    response = admin_client_.post(f"{ADMIN}followup/{item.pk}/change/", data)

    assert response.status_code == 302, response.context["errors"]
    comment = item.comments.get()
    assert (comment.author, comment.body) == (admin_user, "Called them")


def test_the_admin_shows_and_edits_every_reason_of_an_item(admin_client_):
    answer = answered("nps", 2)
    item = FollowUp.objects.create(account=answer.account, response=answer, reasons="detractor")

    page = admin_client_.get(f"{ADMIN}followup/{item.pk}/change/").content.decode()
    response = admin_client_.post(
        f"{ADMIN}followup/{item.pk}/change/",
        change_data(item, reasons=["detractor", "score_drop"]),
    )

    assert 'value="detractor" id="id_reasons_0" checked>' in page
    assert 'value="score_drop" id="id_reasons_2">' in page  # not ticked
    assert response.status_code == 302, response.context["errors"]
    item.refresh_from_db()
    assert item.reason_list == ["detractor", "score_drop"]


def test_an_item_needs_a_reason_in_the_admin(admin_client_):
    answer = answered("nps", 2)
    item = FollowUp.objects.create(account=answer.account, response=answer, reasons="detractor")

    response = admin_client_.post(
        f"{ADMIN}followup/{item.pk}/change/", change_data(item, reasons=[])
    )

    assert response.status_code == 200
    assert "reasons" in response.context["adminform"].form.errors
    item.refresh_from_db()
    assert item.reasons == "detractor"


def test_reopening_in_the_admin_is_allowed_next_to_another_open_item(admin_client_):
    account = answered("nps", 2).account
    FollowUp.objects.create(account=account, reasons="detractor")
    closed = FollowUp.objects.create(
        account=account, reasons="detractor", status=FollowUpStatus.CLOSED, closed_at=timezone.now()
    )

    response = admin_client_.post(
        f"{ADMIN}followup/{closed.pk}/change/", change_data(closed, status="open")
    )

    assert response.status_code == 302, response.context["errors"]
    closed.refresh_from_db()
    assert (closed.status, closed.closed_at) == (FollowUpStatus.OPEN, None)


def test_the_admin_list_filters_items_by_any_of_their_reasons(admin_client_):
    both = FollowUp.objects.create(account=answered().account, reasons="detractor,score_drop")
    FollowUp.objects.create(account=answered().account, reasons="unhappy")

    found = admin_client_.get(f"{ADMIN}followup/", {"reason": "score_drop"})

    assert result_pks(found) == [both.pk]
    assert "NPS detractor, Score dropped" in found.content.decode()


def make(kind: str, count: int) -> None:
    endpoint = WebhookEndpoint.objects.first() or WebhookEndpoint.objects.create(
        url="https://hooks.example.com/", secret="s"
    )
    for _ in range(count):
        response = answered("nps", 3, comment="Meh")
        response.revisions.create(score=3, comment="Meh", recorded_at=timezone.now())
        if kind == "followup":
            FollowUp.objects.create(
                account=response.account,
                response=response,
                reasons="detractor",
                assignee=UserFactory(),
            )
        elif kind == "webhookdelivery":
            WebhookDelivery.objects.create(
                endpoint=endpoint, response=response, next_attempt_at=timezone.now()
            )


@pytest.mark.parametrize(
    "kind", ["survey", "invitation", "response", "followup", "webhookdelivery", "webhookendpoint"]
)
def test_a_changelist_costs_the_same_queries_for_3_and_for_30_rows(
    admin_client_, django_assert_max_num_queries, kind
):
    url = f"{ADMIN}{kind}/"
    make(kind, 3)
    admin_client_.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as with_three:
        admin_client_.get(url)
    make(kind, 27)

    with django_assert_max_num_queries(len(with_three)):
        response = admin_client_.get(url)

    assert response.status_code == 200
    if kind not in ("survey", "webhookendpoint"):
        assert len(response.context["cl"].result_list) == 30


@pytest.mark.parametrize("kind", ["survey", "followup", "webhookendpoint"])
def test_the_add_page_of_an_editable_model_renders(admin_client_, kind):
    assert admin_client_.get(f"{ADMIN}{kind}/add/").status_code == 200


@pytest.mark.parametrize("kind", ["invitation", "response", "webhookdelivery"])
def test_a_record_has_no_add_page(admin_client_, kind):
    assert admin_client_.get(f"{ADMIN}{kind}/add/").status_code == 403
