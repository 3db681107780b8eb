"""/api/v1/responses/ and /api/v1/invitations/: read-only, filtered, a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from campaigns.models import MessageStatus
from surveys.models import ResponseSource
from tests.factories import (
    CustomerContactFactory,
    InvitationFactory,
    MessageFactory,
    ResponseFactory,
    UserFactory,
    api_token,
    survey,
)

RESPONSES = "/api/v1/responses/"
INVITATIONS = "/api/v1/invitations/"
# Token with its user, the two permission look-ups, the count and the page.
LIST_QUERY_BUDGET = 5
NOW = timezone.now()


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


@pytest.fixture
def viewer_api(viewer) -> APIClient:
    return api_as(viewer)


def answer(kind: str = "nps", score: int = 9, **fields: object):
    """A response to the default survey of `kind`, through an invitation."""
    return ResponseFactory(invitation__survey=survey(kind), score=score, **fields)


def imported(contact, kind: str = "nps", score: int = 9, **fields: object):
    return ResponseFactory(
        invitation=None,
        survey=survey(kind),
        contact=contact,
        account=contact.account,
        score=score,
        source=ResponseSource.IMPORT,
        **fields,
    )


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", [RESPONSES, INVITATIONS])
def test_anonymous_request_gets_401(url):
    assert APIClient().get(url).status_code == 401


@pytest.mark.parametrize("url", [RESPONSES, INVITATIONS])
def test_signed_in_user_without_a_role_gets_403(outsider, url):
    assert api_as(outsider).get(url).status_code == 403


def test_viewer_lists_and_retrieves_responses_and_invitations(viewer_api):
    response = answer()

    assert ids(viewer_api.get(RESPONSES)) == [response.pk]
    assert viewer_api.get(f"{RESPONSES}{response.pk}/").json()["id"] == response.pk
    assert ids(viewer_api.get(INVITATIONS)) == [response.invitation_id]
    assert viewer_api.get(f"{INVITATIONS}{response.invitation_id}/").status_code == 200


@pytest.mark.parametrize("persona", ["viewer", "marketer", "admin_user"])
@pytest.mark.parametrize("base", [RESPONSES, INVITATIONS])
def test_nobody_can_write_through_the_survey_api(db, request, persona, base):
    response = answer(score=3)
    pk = response.pk if base == RESPONSES else response.invitation_id
    client = api_as(request.getfixturevalue(persona))

    answers = [
        client.post(base, {"score": 10}, format="json").status_code,
        client.put(f"{base}{pk}/", {"score": 10}, format="json").status_code,
        client.patch(f"{base}{pk}/", {"score": 10}, format="json").status_code,
        client.delete(f"{base}{pk}/").status_code,
    ]

    assert answers == [405, 405, 405, 405]
    response.refresh_from_db()
    assert response.score == 3


def test_the_api_root_lists_the_survey_endpoints(viewer_api):
    assert {"responses", "invitations", "events"} <= set(viewer_api.get("/api/v1/").json())


# --- Responses: representation ----------------------------------------------------------------


def test_a_response_shows_its_survey_contact_account_and_invitation(viewer_api):
    response = answer("csat", 2, comment="Slow reply", language="es")

    body = viewer_api.get(f"{RESPONSES}{response.pk}/").json()

    assert body["survey"] == "csat"
    assert (body["kind"], body["score"], body["band"]) == ("csat", 2, "low")
    assert (body["comment"], body["language"], body["source"]) == ("Slow reply", "es", "email")
    assert body["contact"] == {
        "id": response.contact_id,
        "external_id": response.contact.external_id,
    }
    assert body["account"] == {
        "id": response.account_id,
        "external_id": response.account.external_id,
    }
    assert body["invitation"] == response.invitation_id
    assert {"submitted_at", "updated_at", "external_id"} <= set(body)


def test_an_imported_response_has_no_invitation(viewer_api):
    response = imported(CustomerContactFactory(), external_id="hist-1")

    body = viewer_api.get(f"{RESPONSES}{response.pk}/").json()

    assert (body["invitation"], body["source"], body["external_id"]) == (None, "import", "hist-1")


# --- Responses: filters -----------------------------------------------------------------------


def test_score_zero_is_a_real_score_for_the_score_filters(viewer_api):
    zero, one, ten = answer(score=0), answer(score=1), answer(score=10)

    assert ids(viewer_api.get(RESPONSES, {"score_max": 0})) == [zero.pk]
    assert ids(viewer_api.get(RESPONSES, {"score_min": 0})) == sorted([zero.pk, one.pk, ten.pk])
    assert ids(viewer_api.get(RESPONSES, {"score_min": 0, "score_max": 1})) == [zero.pk, one.pk]
    assert ids(viewer_api.get(RESPONSES, {"score_min": 1})) == [one.pk, ten.pk]


def test_it_filters_responses_by_kind_and_survey(viewer_api):
    nps, csat, ces = answer("nps", 9), answer("csat", 4), answer("ces", 6)

    assert ids(viewer_api.get(RESPONSES, {"kind": "csat"})) == [csat.pk]
    assert ids(viewer_api.get(RESPONSES, {"survey": "ces"})) == [ces.pk]
    assert ids(viewer_api.get(RESPONSES, {"survey": "nps", "kind": "nps"})) == [nps.pk]


def test_the_band_filter_uses_each_kinds_own_scale(viewer_api):
    detractor, passive, promoter = answer("nps", 6), answer("nps", 8), answer("nps", 9)
    unhappy, happy = answer("csat", 2), answer("csat", 4)
    hard = answer("ces", 3)

    assert ids(viewer_api.get(RESPONSES, {"band": "low"})) == sorted(
        [detractor.pk, unhappy.pk, hard.pk]
    )
    assert ids(viewer_api.get(RESPONSES, {"band": "neutral"})) == [passive.pk]
    assert ids(viewer_api.get(RESPONSES, {"band": "high"})) == sorted([promoter.pk, happy.pk])
    assert ids(viewer_api.get(RESPONSES, {"band": "low", "kind": "nps"})) == [detractor.pk]


def test_it_filters_responses_by_contact_account_and_external_id(viewer_api):
    mine = answer()
    other = answer()
    contact = mine.contact

    assert ids(viewer_api.get(RESPONSES, {"contact": contact.pk})) == [mine.pk]
    assert ids(viewer_api.get(RESPONSES, {"account": other.account_id})) == [other.pk]
    assert ids(viewer_api.get(RESPONSES, {"contact_external_id": contact.external_id})) == [mine.pk]
    assert ids(viewer_api.get(RESPONSES, {"contact_external_id": "nobody"})) == []


def test_it_filters_responses_by_submission_time(viewer_api):
    old = answer(submitted_at=dt.datetime(2024, 1, 10, 12, tzinfo=dt.UTC))
    new = answer(submitted_at=dt.datetime(2024, 3, 1, 0, tzinfo=dt.UTC))

    assert ids(viewer_api.get(RESPONSES, {"submitted_after": "2024-03-01T00:00:00Z"})) == [new.pk]
    assert ids(viewer_api.get(RESPONSES, {"submitted_before": "2024-03-01T00:00:00Z"})) == [old.pk]
    assert ids(viewer_api.get(RESPONSES, {"submitted_before": "2024-01-10"})) == []
    assert ids(
        viewer_api.get(
            RESPONSES,
            {"submitted_after": "2024-01-10T12:00:00+00:00", "submitted_before": "2024-02-01"},
        )
    ) == [old.pk]


def test_it_filters_responses_with_and_without_a_comment(viewer_api):
    said, silent = answer(comment="Great"), answer(comment="")

    assert ids(viewer_api.get(RESPONSES, {"has_comment": "true"})) == [said.pk]
    assert ids(viewer_api.get(RESPONSES, {"has_comment": "false"})) == [silent.pk]
    assert ids(viewer_api.get(RESPONSES, {"has_comment": "1"})) == [said.pk]


@pytest.mark.parametrize(
    "query",
    [
        {"score_min": "abc"},
        {"score_max": "7.5"},
        {"band": "furious"},
        {"kind": "poll"},
        {"survey": "no-such-survey"},
        {"contact": "999999"},
        {"contact": "x"},
        {"submitted_after": "yesterday"},
        {"contact_external_id": "c\x00"},
    ],
)
def test_an_invalid_filter_value_is_a_400_not_an_error(viewer_api, query):
    answer()

    assert viewer_api.get(RESPONSES, query).status_code == 400


def test_a_score_beyond_any_integer_column_finds_nothing_rather_than_failing(viewer_api):
    answer(score=10)

    assert ids(viewer_api.get(RESPONSES, {"score_min": str(2**70)})) == []
    assert len(ids(viewer_api.get(RESPONSES, {"score_max": str(2**70)}))) == 1


def test_responses_are_newest_first_and_can_be_ordered_by_score(viewer_api):
    first = answer(score=10, submitted_at=NOW - dt.timedelta(days=2))
    second = answer(score=2, submitted_at=NOW - dt.timedelta(days=1))

    newest = viewer_api.get(RESPONSES).json()["results"]
    by_score = viewer_api.get(RESPONSES, {"ordering": "score"}).json()["results"]

    assert [row["id"] for row in newest] == [second.pk, first.pk]
    assert [row["id"] for row in by_score] == [second.pk, first.pk]


# --- Invitations --------------------------------------------------------------------------------


def test_an_invitation_shows_its_delivery_and_never_its_token(viewer_api):
    sent_at = NOW - dt.timedelta(days=6)
    message = MessageFactory(status=MessageStatus.SENT, sent_at=sent_at)
    invitation = InvitationFactory(contact=message.contact, message=message, language="ru")

    response = viewer_api.get(f"{INVITATIONS}{invitation.pk}/")
    body = response.json()

    assert body["survey"] == "nps"
    assert body["contact"] == {"id": message.contact_id, "external_id": message.contact.external_id}
    assert body["language"] == "ru"
    assert body["delivery"]["status"] == "sent"
    assert body["delivery"]["sent_at"] is not None
    assert (body["answered"], body["response"], body["reminded"]) == (False, None, False)
    assert str(invitation.public_id) not in response.content.decode()
    assert invitation.public_id.hex not in response.content.decode()
    assert "public_id" not in body and "token" not in body


def test_an_answered_and_reminded_invitation_says_so(viewer_api):
    reminder = MessageFactory(status=MessageStatus.SENT, sent_at=NOW)
    invitation = InvitationFactory(contact=reminder.contact, reminder=reminder)
    response = ResponseFactory(invitation=invitation)

    body = viewer_api.get(f"{INVITATIONS}{invitation.pk}/").json()

    assert (body["answered"], body["response"], body["reminded"]) == (True, response.pk, True)
    assert body["delivery"] is None
    assert body["reminder"]["status"] == "sent"


def test_a_reminder_still_queued_is_not_reminded(viewer_api):
    reminder = MessageFactory(status=MessageStatus.QUEUED)
    invitation = InvitationFactory(contact=reminder.contact, reminder=reminder)

    body = viewer_api.get(f"{INVITATIONS}{invitation.pk}/").json()

    assert body["reminded"] is False
    assert body["reminder"] == {"status": "queued", "sent_at": None}


def test_it_filters_invitations(viewer_api):
    answered = ResponseFactory().invitation
    waiting = InvitationFactory(survey=survey("csat"))
    waiting.created_at = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    waiting.save(update_fields=["created_at"])

    assert ids(viewer_api.get(INVITATIONS, {"answered": "true"})) == [answered.pk]
    assert ids(viewer_api.get(INVITATIONS, {"answered": "false"})) == [waiting.pk]
    assert ids(viewer_api.get(INVITATIONS, {"survey": "csat"})) == [waiting.pk]
    assert ids(viewer_api.get(INVITATIONS, {"contact": answered.contact_id})) == [answered.pk]
    assert ids(viewer_api.get(INVITATIONS, {"account": waiting.account_id})) == [waiting.pk]
    assert ids(viewer_api.get(INVITATIONS, {"created_before": "2024-06-01"})) == [waiting.pk]
    assert ids(viewer_api.get(INVITATIONS, {"created_after": "2024-06-01"})) == [answered.pk]


# --- Query counts -------------------------------------------------------------------------------


def populate(count: int) -> None:
    for n in range(count):
        message = MessageFactory(status=MessageStatus.SENT, sent_at=NOW)
        reminder = MessageFactory(contact=message.contact, status=MessageStatus.QUEUED)
        invitation = InvitationFactory(contact=message.contact, message=message, reminder=reminder)
        if n % 2:
            ResponseFactory(invitation=invitation, score=n % 11, comment="Why")
        imported(message.contact, "csat", 1 + n % 5)


def queries_to_list(client: APIClient, url: str, assert_max_queries) -> int:
    with assert_max_queries(LIST_QUERY_BUDGET) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "url", [RESPONSES, INVITATIONS, f"{RESPONSES}?band=low&has_comment=false&score_min=0"]
)
def test_listing_costs_the_same_few_queries_for_30_rows_as_for_3(
    viewer, django_assert_max_num_queries, url
):
    client = token_client(viewer)
    populate(3)
    few = queries_to_list(client, url, django_assert_max_num_queries)

    populate(27)
    many = queries_to_list(client, url, django_assert_max_num_queries)

    assert many == few


def test_a_token_of_a_user_with_a_role_reads_responses(db):
    from lifecycle.staff.roles import VIEWER

    client = token_client(UserFactory(role=VIEWER))

    assert client.get(RESPONSES).status_code == 200
