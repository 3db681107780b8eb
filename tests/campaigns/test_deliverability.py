"""Bounces and complaints through django-anymail's tracking webhooks feed a suppression list
that every campaign honours, by address: at planning and just before sending."""

from __future__ import annotations

import base64
import json

import pytest
from django.utils import timezone

from campaigns import pipeline
from campaigns.models import DeliveryEvent, Message, MessageStatus, Suppression, address_hash
from campaigns.services import plan, queue_now
from tests.factories import ContactFactory, CustomerContactFactory, campaign

pytestmark = pytest.mark.django_db

SECRET = "postmark:s3cret-webhook-password"
WEBHOOK = "/anymail/postmark/tracking/"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def post(client, payload: dict, *, secret: str | None = SECRET):
    headers = {}
    if secret:
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(secret.encode()).decode()
    return client.post(WEBHOOK, json.dumps(payload), content_type="application/json", **headers)


def sent_message(email: str = "gone@example.com") -> Message:
    CustomerContactFactory(email=email)
    queue_now(campaign("nps-quarterly"), now=timezone.now())
    message = Message.objects.get(contact__email=email)
    pipeline.send_chunk([message.pk])
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    return message


def bounce(message: Message, *, kind: str = "HardBounce", event_id: int = 1, **extra) -> dict:
    return {
        "RecordType": "Bounce",
        "ID": event_id,
        "Type": kind,
        "MessageID": "pm-123",
        "Metadata": {"lifecycle_message": str(message.public_id)},
        "Description": "The server was unable to deliver your message.",
        "Email": message.to,
        "BouncedAt": "2026-12-01T10:00:00Z",
        **extra,
    }


def test_a_hard_bounce_suppresses_the_address_for_every_contact_and_campaign(client):
    message = sent_message()
    ContactFactory(email="GONE@example.com", account=CustomerContactFactory().account)

    assert post(client, bounce(message)).status_code == 200

    assert DeliveryEvent.objects.get().kind == "bounced"
    # By the hash of the address only, for every category.
    assert Suppression.objects.get().address_hash == address_hash("gone@example.com")
    assert Suppression.objects.get().category == ""
    assert Suppression.objects.get().reason == "bounce"
    # Neither contact with the address is planned again (every rule plans through the same
    # audience, campaigns.audience); the other account's other contact still is.
    Message.objects.all().delete()
    assert plan(campaign("nps-quarterly"), now=timezone.now(), immediate=True) == 1
    assert not Message.objects.filter(contact__email__iexact="gone@example.com").exists()


def test_a_message_queued_before_the_bounce_is_skipped_when_its_turn_comes(client):
    message = sent_message()
    reminder = Message.objects.create(
        campaign=message.campaign,
        contact=message.contact,
        occurrence="reminder:1",
        email="survey-reminder",
        due_at=timezone.now(),
    )
    post(client, bounce(message))

    pipeline.send_chunk([reminder.pk])

    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.SKIPPED
    assert reminder.error == "Suppressed address: Hard bounce (every category)"


def test_a_webhook_delivered_twice_is_recorded_once(client):
    message = sent_message()

    post(client, bounce(message, event_id=77))
    post(client, bounce(message, event_id=77))

    assert DeliveryEvent.objects.count() == 1


def test_a_webhook_without_the_secret_is_refused_and_changes_nothing(client):
    message = sent_message()

    for secret in (None, "postmark:wrong"):
        assert post(client, bounce(message), secret=secret).status_code in (400, 401, 403)

    assert not DeliveryEvent.objects.exists() and not Suppression.objects.exists()


def test_a_spam_complaint_suppresses_and_a_delivery_does_not(client):
    complained = sent_message("angry@example.com")
    delivered = sent_message("happy@example.com")

    post(
        client,
        {**bounce(complained), "RecordType": "SpamComplaint", "Type": "SpamComplaint"},
    )
    post(
        client,
        {
            "RecordType": "Delivery",
            "MessageID": "pm-9",
            "Metadata": {"lifecycle_message": str(delivered.public_id)},
            "Recipient": delivered.to,
            "DeliveredAt": "2026-12-01T10:00:00Z",
        },
    )

    assert dict(Suppression.objects.values_list("address_hash", "reason")) == {
        address_hash("angry@example.com"): "complaint"
    }
    assert set(DeliveryEvent.objects.values_list("kind", flat=True)) == {"complained", "delivered"}


def test_soft_bounces_suppress_only_after_three_in_a_row(client):
    first = sent_message("full@example.com")
    post(client, bounce(first, kind="SoftBounce", event_id=1))
    assert not Suppression.objects.exists()
    for event_id in (2, 3):
        other = Message.objects.create(
            campaign=first.campaign,
            contact=first.contact,
            occurrence=f"reminder:{event_id}",
            email="survey-reminder",
            due_at=timezone.now(),
        )
        post(client, bounce(other, kind="SoftBounce", event_id=event_id))

    assert Suppression.objects.get().address_hash == address_hash("full@example.com")


def test_an_event_that_names_no_message_of_ours_is_ignored(client):
    response = post(
        client,
        {
            "RecordType": "Bounce",
            "ID": 5,
            "Type": "HardBounce",
            "MessageID": "someone-elses",
            "Email": "stranger@example.com",
            "BouncedAt": "2026-12-01T10:00:00Z",
        },
    )

    assert response.status_code == 200
    assert not DeliveryEvent.objects.exists() and not Suppression.objects.exists()


def test_a_provider_that_names_the_message_by_its_own_id_is_matched(client):
    message = sent_message()
    Message.objects.filter(pk=message.pk).update(message_id="pm-own-id")

    post(client, {**bounce(message), "Metadata": {}, "MessageID": "pm-own-id"})

    assert DeliveryEvent.objects.get().message == message


def test_an_event_naming_another_address_suppresses_nobody(client):
    message = sent_message("alice@example.com")

    post(client, {**bounce(message), "Email": "ceo@bigcustomer.example"})

    assert DeliveryEvent.objects.count() == 1  # recorded, for the record
    assert not Suppression.objects.exists()


def test_hostile_text_in_a_webhook_is_stored_cleanly_and_never_an_error(client):
    message = sent_message()

    response = post(
        client,
        bounce(
            message,
            event_id=10**40,
            MessageID="pm\x00x",
            Description="full\x00" + "x" * 2000,
        ),
    )

    assert response.status_code == 200
    stored = DeliveryEvent.objects.get()
    assert "\x00" not in stored.description and len(stored.description) == 500


def brevo(client, message: Message, event: str, *, ts: int = 1764583200000):
    payload = {
        "event": event,
        "email": message.to,
        "message-id": "<x@brevo>",
        "X-Mailin-custom": json.dumps({"lifecycle_message": str(message.public_id)}),
        "ts_epoch": ts,
    }
    headers = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(SECRET.encode()).decode()}
    return client.post(
        "/anymail/brevo/tracking/", json.dumps(payload), content_type="application/json", **headers
    )


def test_a_brevo_soft_bounce_does_not_suppress_and_a_retried_webhook_counts_once(client):
    message = sent_message()

    assert brevo(client, message, "soft_bounce").status_code == 200
    brevo(client, message, "soft_bounce")  # the same event again

    assert DeliveryEvent.objects.count() == 1
    assert not Suppression.objects.exists()
    brevo(client, message, "hard_bounce", ts=1764583300000)
    assert Suppression.objects.get().reason == "bounce"


def test_a_delivery_between_soft_bounces_starts_the_count_again(client):
    message = sent_message("full@example.com")
    post(client, bounce(message, kind="SoftBounce", event_id=1))
    post(client, bounce(message, kind="SoftBounce", event_id=2, BouncedAt="2026-12-02T10:00:00Z"))
    post(
        client,
        {
            "RecordType": "Delivery",
            "MessageID": "pm-d",
            "Metadata": {"lifecycle_message": str(message.public_id)},
            "Recipient": message.to,
            "DeliveredAt": "2026-12-03T10:00:00Z",
        },
    )

    post(client, bounce(message, kind="SoftBounce", event_id=3, BouncedAt="2026-12-04T10:00:00Z"))

    assert not Suppression.objects.exists()
