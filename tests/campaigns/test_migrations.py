"""Upgrading a database of the previous release, and going back: no campaign loses its
survey, and no owner alert the old release still owed is lost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.migrations import migrate, migrate_to_latest

BEFORE = [("campaigns", "0003_default_campaigns"), ("surveys", "0001_initial")]
LATEST = [("campaigns", "0005_notifications"), ("surveys", "0004_queue_pending_owner_alerts")]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def back_to_latest():
    yield
    migrate_to_latest()


def survey_links(apps) -> dict[str, str]:
    links = apps.get_model("surveys", "CampaignSurvey").objects.values_list(
        "campaign__slug", "survey__slug"
    )
    return dict(links)


def old_links(apps) -> dict[str, str]:
    campaigns = apps.get_model("campaigns", "Campaign").objects.filter(survey__isnull=False)
    return dict(campaigns.values_list("slug", "survey__slug"))


def test_upgrading_keeps_which_survey_each_campaign_asks():
    old = migrate(BEFORE)
    survey = old.get_model("surveys", "Survey").objects.get(slug="csat")
    old.get_model("campaigns", "Campaign").objects.create(
        slug="winback", name="Winback", category="surveys", trigger="rolling", survey=survey
    )
    before = old_links(old)

    new = migrate(LATEST)

    assert survey_links(new) == before
    assert before["winback"] == "csat"


def test_going_back_restores_the_links_and_drops_what_the_old_schema_cannot_hold():
    new = migrate(LATEST)
    new.get_model("campaigns", "Message").objects.create(
        recipient="owner@example.com",
        email="owner-alert",
        occurrence="owner-alert:1",
        due_at=timezone.now(),
    )
    expected = survey_links(new)

    old = migrate([("campaigns", "0003_default_campaigns")])

    assert old_links(old) == expected
    assert not old.get_model("campaigns", "Message").objects.exists()


def test_an_owner_alert_the_old_release_had_not_sent_is_queued_by_the_upgrade():
    old = migrate(
        [("campaigns", "0004_survey_moved_to_surveys"), ("surveys", "0002_campaign_survey")]
    )
    owner = old.get_model("auth", "User").objects.create(username="o", email="owner@example.com")
    account = old.get_model("accounts", "Account").objects.create(name="Acme", owner=owner)
    contact = old.get_model("accounts", "Contact").objects.create(
        account=account, email="ana@example.com"
    )
    survey = old.get_model("surveys", "Survey").objects.get(slug="nps")
    responses = old.get_model("surveys", "Response").objects
    when = timezone.now() - dt.timedelta(minutes=5)
    owed = responses.create(
        survey=survey, kind="nps", contact=contact, account=account, score=2, submitted_at=when
    )
    alerted = responses.create(
        survey=survey,
        kind="nps",
        contact=contact,
        account=account,
        score=1,
        submitted_at=when,
        owner_alerted_at=when,
    )
    item = old.get_model("surveys", "FollowUp").objects.create(account=account, reason="detractor")
    item.responses.add(owed, alerted)

    new = migrate(LATEST)

    alerts = new.get_model("campaigns", "Message").objects.filter(email="owner-alert")
    assert list(alerts.values_list("recipient", "occurrence", "status")) == [
        ("owner@example.com", f"owner-alert:{owed.pk}", "queued")
    ]


LIFECYCLE = ["welcome", "birthday", "anniversary", "review-request", "referral-request"]


def test_an_upgrade_adds_the_lifecycle_campaigns_paused_so_nobody_gets_unread_mail():
    old = migrate(
        [
            ("campaigns", "0007_campaign_kinds"),
            ("accounts", "0002_subscription_start_month_day_index"),
        ]
    )
    old.get_model("campaigns", "Campaign").objects.filter(slug__in=LIFECYCLE).delete()
    account = old.get_model("accounts", "Account").objects.create(name="Existing customer")
    old.get_model("accounts", "Contact").objects.create(account=account, email="a@example.com")

    new = migrate([("campaigns", "0008_default_lifecycle_campaigns")])

    campaigns = new.get_model("campaigns", "Campaign").objects.filter(slug__in=LIFECYCLE)
    assert sorted(campaigns.values_list("slug", flat=True)) == sorted(LIFECYCLE)
    assert not campaigns.filter(enabled=True).exists()
    assert not campaigns.filter(periodic_task__enabled=True).exists()
    assert campaigns.get(slug="birthday").contents.count() == 3


def test_a_new_database_starts_with_the_lifecycle_campaigns_on():
    from campaigns.models import Campaign

    assert Campaign.objects.filter(slug__in=LIFECYCLE, enabled=True).count() == len(LIFECYCLE)
