"""Holdout groups: a stable share of the audience is recorded as held out and never sent,
and the campaign's results compare both groups honestly, sample size included."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Contact, Lead
from campaigns import holdouts, pipeline
from campaigns.models import Message, MessageStatus, Referral
from campaigns.services import plan
from lifecycle.lib.proportions import difference, wilson
from tests.factories import AccountFactory, ResponseFactory, SubscriptionFactory, campaign

pytestmark = pytest.mark.django_db


def customers(count: int, prefix: str = "c") -> list[Contact]:
    account = AccountFactory()
    SubscriptionFactory(account=account)
    return Contact.objects.bulk_create(
        Contact(account=account, email=f"{prefix}{n}@example.com") for n in range(count)
    )


def test_a_ten_percent_holdout_is_stable_across_reruns_and_never_sent():
    customers(400)
    nps = campaign("nps-quarterly")
    nps.holdout_percent = 10
    nps.save()
    now = timezone.now()

    plan(nps, now=now, immediate=True)
    held = set(
        Message.objects.filter(status=MessageStatus.HELD_OUT).values_list("contact", flat=True)
    )
    Message.objects.all().delete()
    plan(nps, now=now, immediate=True)  # planned again from scratch: the same contacts
    again = set(
        Message.objects.filter(status=MessageStatus.HELD_OUT).values_list("contact", flat=True)
    )

    assert held == again
    assert 20 <= len(held) <= 60  # about 40 of 400
    handed: list[int] = []
    pipeline.dispatch_due(now=now, enqueue=handed.extend)
    assert len(handed) == 400 - len(held)
    assert not Message.objects.filter(pk__in=handed, status=MessageStatus.HELD_OUT).exists()


def test_planning_again_never_turns_a_held_out_row_into_a_message():
    customers(100)
    nps = campaign("nps-quarterly")
    nps.holdout_percent = 20
    nps.save()
    plan(nps, now=timezone.now(), immediate=True)
    held = Message.objects.filter(status=MessageStatus.HELD_OUT).count()

    assert plan(nps, now=timezone.now(), immediate=True) == 0
    assert Message.objects.filter(status=MessageStatus.HELD_OUT).count() == held


def mature_rows(slug: str, *, sent: int, held: int, days_ago: int = 120) -> None:
    """Sent and held-out messages of `slug` old enough to be measured."""
    due = timezone.now() - dt.timedelta(days=days_ago)
    contacts = customers(sent + held, prefix=f"{slug}-")
    Message.objects.bulk_create(
        Message(
            campaign=campaign(slug),
            contact=contact,
            occurrence="2026-01/3m",
            email="survey-invitation",
            due_at=due,
            status=MessageStatus.SENT if n < sent else MessageStatus.HELD_OUT,
            sent_at=due if n < sent else None,
        )
        for n, contact in enumerate(contacts)
    )


def test_the_report_compares_the_nps_answers_of_both_groups_with_an_interval():
    mature_rows("birthday", sent=40, held=40)
    due = Message.objects.first().due_at
    sent_contacts = [m.contact for m in Message.objects.filter(status="sent")][:20]
    held_contacts = [m.contact for m in Message.objects.filter(status="held_out")][:4]
    for contact in sent_contacts + held_contacts:
        ResponseFactory(invitation__contact=contact, submitted_at=due + dt.timedelta(days=3))
    # An answer long after the window does not count.
    ResponseFactory(invitation__contact=held_contacts[0], submitted_at=due + dt.timedelta(days=100))

    report = holdouts.report(campaign("birthday"), now=timezone.now())

    row = next(c for c in report.comparisons if c.outcome.key == "answered_nps")
    assert (row.sent_with, row.sent, row.held_with, row.held) == (20, 40, 4, 40)
    assert row.difference.difference == pytest.approx(0.4)
    assert row.difference.clear
    stayed = next(c for c in report.comparisons if c.outcome.key == "stayed_a_customer")
    assert (stayed.sent_with, stayed.held_with) == (40, 40)  # all still pay
    assert not stayed.difference.clear


def test_a_small_holdout_says_not_enough_contacts_instead_of_naming_a_winner():
    mature_rows("nps-quarterly", sent=25, held=3)

    report = holdouts.report(campaign("nps-quarterly"), now=timezone.now())

    assert not report.enough
    assert all(not row.difference.enough for row in report.comparisons)


def test_messages_under_90_days_old_wait_to_be_measured():
    mature_rows("nps-quarterly", sent=5, held=5, days_ago=10)

    report = holdouts.report(campaign("nps-quarterly"), now=timezone.now())

    assert (report.sent, report.held, report.immature) == (0, 0, 10)


def test_churn_within_90_days_counts_against_staying_a_customer():
    mature_rows("nps-quarterly", sent=30, held=30)
    due_day = Message.objects.first().due_at.date()
    held = Message.objects.filter(status="held_out").select_related("contact__account")
    churner = AccountFactory()
    SubscriptionFactory(
        account=churner, started_on=dt.date(2020, 1, 1), ended_on=due_day + dt.timedelta(days=30)
    )
    Contact.objects.filter(pk__in=[m.contact_id for m in held[:6]]).update(account=churner)

    report = holdouts.report(campaign("nps-quarterly"), now=timezone.now())

    stayed = next(c for c in report.comparisons if c.outcome.key == "stayed_a_customer")
    assert (stayed.sent_with, stayed.held_with) == (30, 24)


def test_the_campaign_page_shows_the_comparison(admin_client_):
    mature_rows("nps-quarterly", sent=3, held=2)
    nps = campaign("nps-quarterly")

    page = admin_client_.get(f"/admin/campaigns/campaign/{nps.pk}/change/").content.decode()

    assert "Sent against held out" in page
    assert "Not enough contacts yet." in page


# The statistics, against published values.


def test_wilson_interval_of_0_in_10():
    low, high = wilson(0, 10)
    assert low == 0 and high == pytest.approx(0.2775, abs=1e-4)


def test_newcombes_interval_for_a_difference_matches_his_worked_example():
    # Newcombe (1998), Statistics in Medicine 17:873-890, table II example (a):
    # 56/70 - 48/80, method 10 (score interval, no continuity correction): 0.0524 to 0.3339.
    result = difference(56, 70, 48, 80)
    assert result.difference == pytest.approx(0.2)
    assert (result.low, result.high) == (
        pytest.approx(0.0524, abs=1e-4),
        pytest.approx(0.3339, abs=1e-4),
    )
    assert result.clear


def test_referring_someone_after_the_message_counts_for_its_group():
    mature_rows("nps-quarterly", sent=30, held=30)
    due = Message.objects.first().due_at
    sent_contacts = [m.contact for m in Message.objects.filter(status="sent")][:9]
    for n, contact in enumerate(sent_contacts):
        lead = Lead.objects.create(email=f"peer{n}@example.com", source="referral")
        referral = Referral.objects.create(referrer=contact, lead=lead)
        Referral.objects.filter(pk=referral.pk).update(created_at=due + dt.timedelta(days=5))

    report = holdouts.report(campaign("nps-quarterly"), now=timezone.now())

    row = next(c for c in report.comparisons if c.outcome.key == "referred_someone")
    assert (row.sent_with, row.held_with) == (9, 0)
    assert report.comparisons[-1].outcome.key == "clicked"  # what only the sent can do, last


def test_each_contact_is_one_observation_whatever_its_cycles_and_reminders():
    mature_rows("nps-quarterly", sent=30, held=30)
    older = Message.objects.first().due_at - dt.timedelta(days=90)
    for message in list(Message.objects.all()):
        Message.objects.create(  # the cycle before
            campaign=message.campaign, contact=message.contact, occurrence="2025-10/3m",
            email=message.email, due_at=older, status=message.status,
        )  # fmt: skip
        if message.status == "sent":
            Message.objects.create(  # and a reminder
                campaign=message.campaign, contact=message.contact,
                occurrence=f"reminder:{message.pk}", email="survey-reminder",
                due_at=message.due_at, status="sent",
            )  # fmt: skip

    report = holdouts.report(campaign("nps-quarterly"), now=timezone.now())

    assert (report.sent, report.held) == (30, 30)


def test_answering_nps_is_no_outcome_of_an_nps_survey_campaign():
    report = holdouts.report(campaign("nps-quarterly"), now=timezone.now())

    assert "answered_nps" not in {row.outcome.key for row in report.comparisons}


def test_contacts_skipped_at_send_time_stay_in_the_sent_group():
    mature_rows("birthday", sent=30, held=30)
    skipped = Message.objects.filter(status="sent").first()
    Message.objects.filter(pk=skipped.pk).update(status="skipped")

    report = holdouts.report(campaign("birthday"), now=timezone.now())

    assert report.sent == 30
