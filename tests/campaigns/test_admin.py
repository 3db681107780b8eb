"""Django admin for campaigns: each campaign's beat schedule follows the campaign, the outbox
records are read-only, a failed or doubtful message can be queued again, and changelists cost
the same queries whatever their length."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accounts.models import Lead
from campaigns import pipeline
from campaigns.admin import MessageAdmin
from campaigns.models import (
    Audience,
    Campaign,
    Engagement,
    Event,
    Message,
    MessageStatus,
    Referral,
    Suppression,
    Unsubscription,
    address_hash,
)
from campaigns.schedules import ensure_schedule
from campaigns.services import queue_now
from surveys.models import survey_of
from surveys.services import link_survey
from tests.campaigns.admin_forms import campaign_form
from tests.factories import CustomerContactFactory, MessageFactory, UserFactory, campaign, survey

pytestmark = pytest.mark.django_db

CAMPAIGNS = "/admin/campaigns/campaign/"
MESSAGES = "/admin/campaigns/message/"
EVENTS = "/admin/campaigns/event/"
UNSUBSCRIPTIONS = "/admin/campaigns/unsubscription/"


def schedule_of(slug: str) -> PeriodicTask:
    return Campaign.objects.select_related("periodic_task__interval").get(slug=slug).periodic_task


# Access


@pytest.mark.parametrize("persona", ["viewer_client", "marketer_client", "outsider_client"])
def test_a_user_who_is_not_an_admin_is_sent_away(request, persona):
    client = request.getfixturevalue(persona)

    for url in [CAMPAIGNS, MESSAGES, EVENTS, UNSUBSCRIPTIONS]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


# Campaigns and their beat schedules


def test_the_campaign_list_shows_slug_name_trigger_category_enabled_and_survey(admin_client_):
    response = admin_client_.get(CAMPAIGNS)

    assert response.status_code == 200
    page = response.content.decode()
    for column in ["slug", "name", "trigger", "category", "enabled", "survey"]:
        assert f"column-{column}" in page
    assert "nps-quarterly" in page


def test_a_campaign_created_in_the_admin_gets_an_hourly_beat_schedule(admin_client_):
    response = admin_client_.post(f"{CAMPAIGNS}add/", campaign_form())

    assert response.status_code == 302, response.context and response.context["errors"]
    created = Campaign.objects.get(slug="winback")
    task = schedule_of("winback")
    assert task.name == "Campaign winback"
    assert task.task == "campaigns.run_campaign"
    assert json.loads(task.args) == [created.pk]
    assert (task.interval.every, task.interval.period) == (1, IntervalSchedule.HOURS)
    assert task.enabled is True


def test_disabling_a_campaign_in_the_admin_disables_its_schedule_and_enabling_restores_it(
    admin_client_,
):
    admin_client_.post(f"{CAMPAIGNS}add/", campaign_form())
    created = Campaign.objects.get(slug="winback")
    url = f"{CAMPAIGNS}{created.pk}/change/"

    off = campaign_form()
    del off["enabled"]
    admin_client_.post(url, off)
    disabled = schedule_of("winback")
    admin_client_.post(url, campaign_form())

    assert disabled.enabled is False
    assert schedule_of("winback").enabled is True
    assert disabled.pk == schedule_of("winback").pk  # the same entry, not a new one
    assert (
        PeriodicTask.objects.filter(task="campaigns.run_campaign", args=f"[{created.pk}]").count()
        == 1
    )


def test_editing_a_default_campaign_keeps_the_schedule_the_migration_made(admin_client_):
    default = campaign("nps-quarterly")
    before = default.periodic_task_id
    form = campaign_form(
        name=default.name,
        slug=default.slug,
        category=default.category,
        survey=survey_of(default).pk,
        trigger=default.trigger,
        cycle_months=default.cycle_months,
        reminder_after_days=default.reminder_after_days,
    )
    del form["enabled"]

    response = admin_client_.post(f"{CAMPAIGNS}{default.pk}/change/", form)

    assert response.status_code == 302
    task = schedule_of("nps-quarterly")
    assert task.pk == before
    assert task.enabled is False
    assert survey_of(campaign("nps-quarterly")) == survey("nps")


def test_the_admin_shows_and_changes_which_survey_a_campaign_asks(admin_client_):
    page = admin_client_.get(CAMPAIGNS)
    assert "Net Promoter Score" in page.content.decode()  # the survey column
    admin_client_.post(CAMPAIGNS + "add/", campaign_form(survey=survey("csat").pk))
    winback = Campaign.objects.get(slug="winback")
    assert survey_of(winback) == survey("csat")

    form = campaign_form(survey="")
    admin_client_.post(f"{CAMPAIGNS}{winback.pk}/change/", form)

    assert survey_of(Campaign.objects.get(slug="winback")) is None


def test_renaming_a_campaigns_slug_renames_its_schedule():
    renamed = campaign("csat")
    renamed.slug = "csat-after-tickets"
    renamed.save()

    task = ensure_schedule(renamed)

    assert task.name == "Campaign csat-after-tickets"
    assert not PeriodicTask.objects.filter(name="Campaign csat").exists()


def test_ensure_schedule_adopts_a_leftover_entry_of_the_same_name():
    leftover = PeriodicTask.objects.create(
        name="Campaign winback",
        task="something.else",
        interval=IntervalSchedule.objects.create(every=5, period=IntervalSchedule.MINUTES),
    )
    created = Campaign.objects.create(
        slug="winback", name="Winback", category="marketing", trigger="rolling", enabled=False
    )

    task = ensure_schedule(created)

    assert task.pk == leftover.pk
    assert task.task == "campaigns.run_campaign"
    assert task.enabled is False
    created.refresh_from_db()
    assert created.periodic_task_id == leftover.pk


def test_deleting_a_campaign_in_the_admin_deletes_its_schedule(admin_client_):
    admin_client_.post(f"{CAMPAIGNS}add/", campaign_form())
    created = Campaign.objects.get(slug="winback")

    response = admin_client_.post(f"{CAMPAIGNS}{created.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not PeriodicTask.objects.filter(name="Campaign winback").exists()


# Messages: read-only, and "Queue again"


def test_messages_are_read_only_in_the_admin(admin_client_):
    message = MessageFactory()

    assert admin_client_.get(f"{MESSAGES}add/").status_code == 403
    page = admin_client_.get(f"{MESSAGES}{message.pk}/change/").content.decode()
    assert 'name="status"' not in page
    assert admin_client_.get(f"{MESSAGES}{message.pk}/delete/").status_code == 403


def test_the_message_list_filters_by_status_and_finds_a_contact_by_email(admin_client_):
    sent = MessageFactory(status=MessageStatus.SENT)
    failed = MessageFactory(
        status=MessageStatus.FAILED, contact=CustomerContactFactory(email="wile@acme.test")
    )

    by_status = admin_client_.get(MESSAGES, {"status__exact": "sent"})
    by_email = admin_client_.get(MESSAGES, {"q": "wile@acme.test"})

    assert [m.pk for m in by_status.context["cl"].result_list] == [sent.pk]
    assert [m.pk for m in by_email.context["cl"].result_list] == [failed.pk]


def test_queue_again_puts_failed_and_review_messages_back_due_now_keeping_attempts(
    admin_client_,
):
    last_week = timezone.now() - dt.timedelta(days=7)
    review = MessageFactory(
        status=MessageStatus.REVIEW, attempts=1, due_at=last_week, dispatched_at=last_week
    )
    failed = MessageFactory(status=MessageStatus.FAILED, attempts=5, due_at=last_week)
    sent = MessageFactory(status=MessageStatus.SENT, attempts=1, due_at=last_week)
    before = timezone.now()

    response = admin_client_.post(
        MESSAGES,
        {"action": "queue_again", "_selected_action": [review.pk, failed.pk, sent.pk]},
        follow=True,
    )

    assert response.status_code == 200
    for message in (review, failed, sent):
        message.refresh_from_db()
    assert (review.status, review.attempts, review.dispatched_at) == ("queued", 1, None)
    assert (failed.status, failed.attempts) == ("queued", 5)
    assert review.due_at >= before and failed.due_at >= before
    assert (sent.status, sent.due_at) == ("sent", last_week)
    page = response.content.decode()
    assert "2 messages queued again." in page
    assert "1 message was left alone" in page


def test_the_queue_again_action_warns_that_a_review_message_may_have_been_delivered():
    description = str(MessageAdmin.queue_again.short_description)

    assert "check the mail log first" in description


def test_queued_again_messages_are_dispatched_by_the_next_tick(admin_client_):
    from campaigns.pipeline import due_ids

    review = MessageFactory(status=MessageStatus.REVIEW, dispatched_at=timezone.now())

    admin_client_.post(MESSAGES, {"action": "queue_again", "_selected_action": [review.pk]})

    assert due_ids(now=timezone.now() + dt.timedelta(seconds=1)) == [review.pk]


# Query cost


def many(kind: str, count: int) -> None:
    for _ in range(count):
        message = MessageFactory(status=MessageStatus.SENT)
        if kind == "event":
            Event.objects.create(
                type="ticket_closed", contact=message.contact, occurred_at=timezone.now()
            )
        elif kind == "unsubscription":
            Unsubscription.objects.create(
                contact=message.contact, category="surveys", message=message, source="page"
            )
        elif kind == "engagement":
            Engagement.objects.create(
                message=message, kind="open", occurred_at=timezone.now(), user_agent="Chrome"
            )
        elif kind == "suppression":
            Suppression.objects.create(
                address_hash=address_hash(message.contact.email), reason="bounce"
            )
        elif kind == "referral":
            lead = Lead.objects.create(email=f"lead-{message.pk}@example.com", source="referral")
            Referral.objects.create(referrer=message.contact, lead=lead, flags="duplicate")
        elif kind == "lead":
            Lead.objects.create(email=f"lead-{message.pk}@example.com", source="staff")
        elif kind == "audience":
            Audience.objects.create(name=f"Audience {message.pk}", owner=UserFactory())
        elif kind == "campaign":
            slug = f"c{Campaign.objects.count()}"
            created = Campaign.objects.create(
                slug=slug, name=slug, category="surveys", trigger="rolling"
            )
            link_survey(created, survey("nps"))
            ensure_schedule(created)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        (CAMPAIGNS, "campaign"),
        (MESSAGES, "message"),
        (EVENTS, "event"),
        (UNSUBSCRIPTIONS, "unsubscription"),
        ("/admin/campaigns/engagement/", "engagement"),
        ("/admin/campaigns/suppression/", "suppression"),
        ("/admin/campaigns/referral/", "referral"),
        ("/admin/campaigns/audience/", "audience"),
        ("/admin/accounts/lead/", "lead"),
    ],
)
def test_a_changelist_costs_the_same_queries_for_3_and_for_30_rows(
    admin_client_, django_assert_max_num_queries, url, kind
):
    many(kind, 3)
    admin_client_.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as with_three:
        admin_client_.get(url)
    many(kind, 27)

    with django_assert_max_num_queries(len(with_three)):
        response = admin_client_.get(url)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= 30


def test_the_add_campaign_page_renders(admin_client_):
    assert admin_client_.get(f"{CAMPAIGNS}add/").status_code == 200


@pytest.mark.parametrize("url", [EVENTS, UNSUBSCRIPTIONS])
def test_events_and_unsubscriptions_have_no_add_page(admin_client_, url):
    assert admin_client_.get(f"{url}add/").status_code == 403


@pytest.mark.django_db
def test_pausing_a_campaign_keeps_its_queued_messages_waiting_until_it_is_activated(
    admin_client_,
):
    CustomerContactFactory()
    nps = campaign("nps-quarterly")
    now = timezone.now()
    queue_now(nps, now=now)
    changelist = "/admin/campaigns/campaign/"

    admin_client_.post(changelist, {"action": "pause", "_selected_action": [nps.pk]})
    nps.refresh_from_db()
    handed: list[int] = []
    pipeline.dispatch_due(now=now, enqueue=handed.extend)

    assert not nps.enabled and not nps.periodic_task.enabled
    assert handed == []
    assert Message.objects.get().status == "queued"

    admin_client_.post(changelist, {"action": "activate", "_selected_action": [nps.pk]})
    nps.refresh_from_db()
    pipeline.dispatch_due(now=now, enqueue=handed.extend)

    assert nps.enabled and nps.periodic_task.enabled
    assert len(handed) == 1


@pytest.mark.django_db
def test_a_message_dispatched_before_the_pause_goes_back_to_the_queue():
    CustomerContactFactory()
    nps = campaign("nps-quarterly")
    queue_now(nps, now=timezone.now())
    nps.enabled = False
    nps.save()

    pipeline.send_chunk([Message.objects.get().pk])

    message = Message.objects.get()
    assert (message.status, message.attempts, message.error) == (
        "queued",
        0,
        "The campaign is paused.",
    )


def test_a_birthday_held_by_a_long_pause_is_skipped_rather_than_sent_late(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    late = Message.objects.create(
        campaign=campaign("birthday"),
        contact=CustomerContactFactory(),
        occurrence="birthday:2026",
        email="campaign",
        due_at=timezone.now() - dt.timedelta(days=60),
    )

    pipeline.send_chunk([late.pk])

    late.refresh_from_db()
    assert late.status == MessageStatus.SKIPPED and late.error.startswith("Too late")
