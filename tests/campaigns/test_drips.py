"""Nurture drips: contacts enter on an event or by being in the drip's audience, each step
emails them on its day, and every step first lets go of those who should leave."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Contact
from campaigns import pipeline
from campaigns.models import Audience, Campaign, CampaignContent, DripEnrollment, Message
from campaigns.services import record_event, run_schedule, send_now
from tests.factories import AccountFactory, ContactFactory, ResponseFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def make_drip(**options) -> tuple[Campaign, list[Campaign]]:
    prospects = Audience.objects.create(name="Prospects", status="prospect")
    drip = Campaign.objects.create(
        slug="trial-nurture",
        name="Trial nurture",
        category="marketing",
        trigger="drip",
        audience=prospects,
        **options,
    )
    steps = []
    for day in (0, 3, 7):
        step = Campaign.objects.create(
            slug=f"trial-day-{day}",
            name=f"Trial day {day}",
            category="marketing",
            trigger="drip_step",
            drip=drip,
            step_day=day,
        )
        CampaignContent.objects.create(
            campaign=step,
            language="en",
            subject=f"Day {day}",
            text_body="Hi {{ first_name }}",
            html_body="<p>Hi</p>",
        )
        steps.append(step)
    return drip, steps


def run_all(drip: Campaign, steps: list[Campaign], now: dt.datetime) -> dict[str, int]:
    run_schedule(drip, now=now)
    return {step.slug: run_schedule(step, now=now) for step in steps}


def test_each_step_goes_on_its_day_once():
    drip, steps = make_drip(exit_when_customer=False)
    ContactFactory(email="lead@example.com")  # a prospect: no subscription
    start = timezone.now()

    assert run_all(drip, steps, start) == {"trial-day-0": 1, "trial-day-3": 0, "trial-day-7": 0}
    assert run_all(drip, steps, start + DAY) == {
        "trial-day-0": 0,
        "trial-day-3": 0,
        "trial-day-7": 0,
    }
    assert run_all(drip, steps, start + 3 * DAY)["trial-day-3"] == 1
    assert run_all(drip, steps, start + 8 * DAY) == {
        "trial-day-0": 0,
        "trial-day-3": 0,
        "trial-day-7": 1,
    }
    assert run_all(drip, steps, start + 30 * DAY) == {
        "trial-day-0": 0,
        "trial-day-3": 0,
        "trial-day-7": 0,
    }
    assert DripEnrollment.objects.count() == 1
    reasons = Message.objects.order_by("due_at").values_list("reason", flat=True)
    assert list(reasons)[1].startswith("Drip trial-nurture, day 3 (entered ")


def test_becoming_a_customer_ends_the_drip_before_the_next_step():
    drip, steps = make_drip()
    lead = ContactFactory(email="lead@example.com")
    start = timezone.now()
    run_all(drip, steps, start)
    SubscriptionFactory(account=lead.account, started_on=timezone.localdate() + DAY)

    results = run_all(drip, steps, start + 4 * DAY)

    assert results["trial-day-3"] == 0
    enrollment = DripEnrollment.objects.get()
    assert enrollment.exit_reason == "became a customer"


def test_unsubscribing_answering_and_the_goal_event_each_end_it():
    drip, steps = make_drip(goal_event="demo_booked", exit_when_answered=True)
    quits = ContactFactory(email="quits@example.com")
    answers = ContactFactory(email="answers@example.com")
    books = ContactFactory(email="books@example.com")
    stays = ContactFactory(email="stays@example.com")
    start = timezone.now()
    run_all(drip, steps, start)
    Contact.objects.filter(pk=quits.pk).update(unsubscribed_marketing_at=start)
    ResponseFactory(invitation__contact=answers, submitted_at=start + DAY)
    record_event(type="demo_booked", contact=books, occurred_at=start + DAY)

    results = run_all(drip, steps, start + 4 * DAY)

    assert results["trial-day-3"] == 1
    assert Message.objects.filter(campaign=steps[1]).get().contact == stays
    reasons = dict(DripEnrollment.objects.values_list("contact__email", "exit_reason"))
    assert reasons == {
        "quits@example.com": "unsubscribed or withdrew consent",
        "answers@example.com": "answered a survey",
        "books@example.com": "reached the goal (demo_booked)",
        "stays@example.com": "",
    }


def test_a_drip_entered_on_an_event_starts_from_the_event():
    drip, steps = make_drip(event_type="trial_started", exit_when_customer=False)
    drip.audience = None
    drip.save()
    customer = AccountFactory()
    SubscriptionFactory(account=customer)
    starter = ContactFactory(account=customer, email="starter@example.com")
    ContactFactory(account=customer, email="bystander@example.com")
    started = timezone.now() - 2 * DAY
    record_event(type="trial_started", contact=starter, occurred_at=started)

    run_all(drip, steps, timezone.now())

    enrollment = DripEnrollment.objects.get()
    assert (enrollment.contact, enrollment.entered_at) == (starter, started)
    assert Message.objects.filter(campaign=steps[0]).count() == 1
    assert run_all(drip, steps, timezone.now() + DAY)["trial-day-3"] == 1  # day 3 of the trial


def test_a_paused_drip_sends_no_step():
    drip, steps = make_drip()
    ContactFactory()
    run_schedule(drip, now=timezone.now())
    drip.enabled = False
    drip.save()

    assert run_schedule(steps[0], now=timezone.now()) == 0


def test_send_campaign_on_a_drip_enrols_and_on_a_step_sends_who_is_due():
    drip, steps = make_drip()
    ContactFactory()
    handed: list[int] = []

    assert send_now(drip, now=timezone.now(), enqueue=handed.extend)[0] == 0
    assert DripEnrollment.objects.count() == 1
    assert send_now(steps[0], now=timezone.now(), enqueue=handed.extend) == (1, 1)


def test_the_drips_admin_page_lists_its_steps(admin_client_):
    drip, steps = make_drip()

    page = admin_client_.get(f"/admin/campaigns/campaign/{drip.pk}/change/").content.decode()

    assert all(step.name in page for step in steps)
    assert "goal_event" in page and "email content per language" not in page


def test_pausing_the_drip_holds_its_steps_queued_messages():
    drip, steps = make_drip(exit_when_customer=False)
    ContactFactory()
    now = timezone.now()
    run_all(drip, steps, now)
    Campaign.objects.filter(pk=drip.pk).update(enabled=False)
    handed: list[int] = []

    pipeline.dispatch_due(now=now + DAY, enqueue=handed.extend)

    assert handed == []


def test_leaving_after_the_step_was_planned_stops_it_before_sending(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    drip, steps = make_drip(goal_event="demo_booked")
    lead = ContactFactory()
    now = timezone.now()
    run_all(drip, steps, now)
    message = Message.objects.get()
    record_event(type="demo_booked", contact=lead, occurred_at=now + dt.timedelta(minutes=1))

    pipeline.send_chunk([message.pk])

    message.refresh_from_db()
    assert (message.status, message.error) == (
        "skipped",
        "Left the drip: reached the goal (demo_booked).",
    )


def test_a_returning_customer_leaves_a_win_back_drip():
    drip, steps = make_drip()
    drip.audience = Audience.objects.create(name="Churned", status="churned")
    drip.save()
    gone = AccountFactory()
    SubscriptionFactory(
        account=gone, started_on=dt.date(2023, 1, 1), ended_on=timezone.localdate() - 30 * DAY
    )
    ContactFactory(account=gone)
    now = timezone.now()
    run_all(drip, steps, now)
    SubscriptionFactory(account=gone, started_on=timezone.localdate() + DAY)  # comes back

    assert run_all(drip, steps, now + 4 * DAY)["trial-day-3"] == 0
    assert DripEnrollment.objects.get().exit_reason == "became a customer"


def test_a_drip_holds_out_the_same_contacts_in_every_step():
    drip, steps = make_drip(exit_when_customer=False)
    drip.holdout_percent = 30
    drip.save()
    for n in range(60):
        ContactFactory(email=f"lead{n}@example.com")
    now = timezone.now()
    for days in (0, 3, 8):
        run_all(drip, steps, now + days * DAY)

    held = {
        step.slug: set(
            Message.objects.filter(campaign=step, status="held_out").values_list(
                "contact", flat=True
            )
        )
        for step in steps
    }
    assert held["trial-day-0"] == held["trial-day-3"] == held["trial-day-7"]
    assert 5 <= len(held["trial-day-0"]) <= 35
