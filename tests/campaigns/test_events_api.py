"""POST /api/v1/events/: an event recorded once, queueing the campaigns it triggers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from campaigns.models import Event, Message
from tests.factories import CustomerContactFactory, InvitationFactory, campaign

EVENTS = "/api/v1/events/"


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def marketer_api(marketer) -> APIClient:
    return api_as(marketer)


@pytest.fixture
def contact(db):
    return CustomerContactFactory(email_consent=True)


def ticket_closed(contact, **fields: object) -> dict[str, object]:
    return {"type": "ticket_closed", "contact": contact.pk, **fields}


def csat_messages(contact) -> list[Message]:
    return list(Message.objects.filter(campaign__slug="csat", contact=contact))


# --- Queueing -----------------------------------------------------------------------------------


def test_a_closed_ticket_queues_a_csat_survey_an_hour_later(marketer_api, contact):
    occurred_at = timezone.now().replace(microsecond=0)

    response = marketer_api.post(
        EVENTS,
        ticket_closed(contact, occurred_at=occurred_at.isoformat(), data={"ticket": 42}),
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["type"] == "ticket_closed"
    assert body["contact"] == {"id": contact.pk, "external_id": contact.external_id}
    assert body["data"] == {"ticket": 42}
    [message] = csat_messages(contact)
    assert message.due_at == occurred_at + dt.timedelta(minutes=60)
    assert message.occurrence == f"event:{body['id']}"
    assert message.email == "survey-invitation"


def test_the_contact_may_be_named_by_its_external_id(marketer_api, contact):
    response = marketer_api.post(
        EVENTS,
        {"type": "ticket_closed", "contact_external_id": contact.external_id},
        format="json",
    )

    assert response.status_code == 201
    assert Event.objects.get().contact == contact
    assert len(csat_messages(contact)) == 1


def test_occurred_at_defaults_to_now(marketer_api, contact):
    before = timezone.now()

    marketer_api.post(EVENTS, ticket_closed(contact), format="json")

    event = Event.objects.get()
    assert before <= event.occurred_at <= timezone.now()
    [message] = csat_messages(contact)
    assert message.due_at == event.occurred_at + dt.timedelta(hours=1)


def test_a_retried_post_with_the_same_external_id_records_and_queues_nothing_more(
    marketer_api, contact
):
    payload = ticket_closed(contact, external_id="zendesk-981")
    first = marketer_api.post(EVENTS, payload, format="json")

    again = marketer_api.post(EVENTS, payload, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Event.objects.count() == 1
    assert len(csat_messages(contact)) == 1


def test_two_events_without_external_id_are_two_events(marketer_api, contact):
    marketer_api.post(EVENTS, ticket_closed(contact), format="json")
    marketer_api.post(EVENTS, ticket_closed(contact, external_id=""), format="json")

    assert Event.objects.count() == 2
    assert Event.objects.filter(external_id__isnull=True).count() == 2


def test_a_contact_surveyed_within_the_fatigue_window_gets_no_message(marketer_api, contact):
    InvitationFactory(contact=contact)  # an NPS survey a moment ago

    response = marketer_api.post(EVENTS, ticket_closed(contact), format="json")

    assert response.status_code == 201
    assert Event.objects.count() == 1
    assert csat_messages(contact) == []


def test_an_unsubscribed_contact_gets_no_message(marketer_api, contact):
    contact.unsubscribed_surveys_at = timezone.now()
    contact.save(update_fields=["unsubscribed_surveys_at"])

    response = marketer_api.post(EVENTS, ticket_closed(contact), format="json")

    assert response.status_code == 201
    assert csat_messages(contact) == []


def test_a_disabled_campaign_queues_nothing(marketer_api, contact):
    csat = campaign("csat")
    csat.enabled = False
    csat.save(update_fields=["enabled"])

    marketer_api.post(EVENTS, ticket_closed(contact), format="json")

    assert csat_messages(contact) == []


def test_an_event_no_campaign_listens_to_is_recorded_and_queues_nothing(marketer_api, contact):
    response = marketer_api.post(
        EVENTS, {"type": "plan_upgraded", "contact": contact.pk}, format="json"
    )

    assert response.status_code == 201
    assert not Message.objects.exists()


# --- Validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"type": "ticket closed!"}, "type"),
        ({"type": ""}, "type"),
        ({"type": "x" * 51}, "type"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": "2024-02-30T10:00:00Z"}, "occurred_at"),
        ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
        ({"data": [1, 2]}, "data"),
        ({"data": "text"}, "data"),
        ({"data": {"note": "\x00"}}, "data"),
        ({"data": {"\x00": 1}}, "data"),
        ({"external_id": "a\x00b"}, "external_id"),
        ({"external_id": "x" * 101}, "external_id"),
        ({"contact": 999_999_999}, "contact"),
        ({"contact": 2**70}, "contact"),
        ({"contact": "abc"}, "contact"),
        ({"contact": True}, "contact"),
        ({"contact": None}, "contact"),
    ],
)
def test_an_invalid_event_is_a_400_naming_the_field(marketer_api, contact, payload, field):
    response = marketer_api.post(EVENTS, {**ticket_closed(contact), **payload}, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Event.objects.exists()


def test_an_unknown_contact_external_id_is_a_400(marketer_api, contact):
    response = marketer_api.post(
        EVENTS, {"type": "ticket_closed", "contact_external_id": "ghost"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"contact_external_id": ["No contact has this external ID."]}


def test_the_contact_must_be_named_exactly_once(marketer_api, contact):
    neither = marketer_api.post(EVENTS, {"type": "ticket_closed"}, format="json")
    both = marketer_api.post(
        EVENTS, ticket_closed(contact, contact_external_id=contact.external_id), format="json"
    )

    assert (neither.status_code, both.status_code) == (400, 400)
    assert "contact" in neither.json() and "contact" in both.json()


@pytest.mark.parametrize(
    "body", ['{"type": ', "[]", '"ticket_closed"', "null", '{"type": "\\ud800"}']
)
def test_a_malformed_body_is_a_400(marketer_api, body):
    response = marketer_api.post(EVENTS, body, content_type="application/json")

    assert response.status_code == 400


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_posts_get_401():
    assert APIClient().post(EVENTS, {"type": "ticket_closed"}, format="json").status_code == 401


def test_a_viewer_cannot_post_events_but_can_list_them(viewer, marketer_api, contact):
    marketer_api.post(EVENTS, ticket_closed(contact), format="json")
    viewer_api = api_as(viewer)

    assert viewer_api.post(EVENTS, ticket_closed(contact), format="json").status_code == 403
    listed = viewer_api.get(EVENTS)
    assert listed.status_code == 200
    assert [row["type"] for row in listed.json()["results"]] == ["ticket_closed"]
    assert Event.objects.count() == 1


def test_an_outsider_can_neither_post_nor_list(outsider, contact):
    client = api_as(outsider)

    assert client.post(EVENTS, ticket_closed(contact), format="json").status_code == 403
    assert client.get(EVENTS).status_code == 403


def test_an_admin_may_post_events(admin_user, contact):
    response = api_as(admin_user).post(EVENTS, ticket_closed(contact), format="json")

    assert response.status_code == 201


@pytest.mark.parametrize("persona", ["viewer", "marketer", "admin_user"])
def test_events_cannot_be_changed_or_deleted(request, persona, contact, marketer_api):
    event_id = marketer_api.post(EVENTS, ticket_closed(contact), format="json").json()["id"]
    client = api_as(request.getfixturevalue(persona))

    assert client.patch(f"{EVENTS}{event_id}/", {"type": "x"}, format="json").status_code == 405
    assert client.delete(f"{EVENTS}{event_id}/").status_code == 405


def test_events_can_be_filtered_by_type_and_contact(viewer, marketer_api, contact):
    other = CustomerContactFactory()
    marketer_api.post(EVENTS, ticket_closed(contact), format="json")
    marketer_api.post(EVENTS, {"type": "renewed", "contact": other.pk}, format="json")
    viewer_api = api_as(viewer)

    def types(**query: object) -> list[str]:
        return [row["type"] for row in viewer_api.get(EVENTS, query).json()["results"]]

    assert types(type="renewed") == ["renewed"]
    assert types(contact_external_id=contact.external_id) == ["ticket_closed"]
    assert types(contact=other.pk) == ["renewed"]


def test_listing_events_costs_the_same_queries_for_30_as_for_3(
    viewer, django_assert_max_num_queries
):
    from tests.surveys.test_api import LIST_QUERY_BUDGET, queries_to_list, token_client

    def populate(count: int) -> None:
        for n in range(count):
            Event.objects.create(
                type="ticket_closed",
                contact=CustomerContactFactory(),
                occurred_at=timezone.now(),
                external_id=f"t-{count}-{n}",
            )

    client = token_client(viewer)
    populate(3)
    few = queries_to_list(client, EVENTS, django_assert_max_num_queries)
    populate(27)

    assert queries_to_list(client, EVENTS, django_assert_max_num_queries) == few
    assert LIST_QUERY_BUDGET == 5
