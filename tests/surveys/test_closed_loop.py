"""Closing the loop: a bad answer opens a follow-up on the account and alerts its owner."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Account, Contact
from campaigns import tasks as campaign_tasks
from campaigns.models import Message, MessageStatus
from surveys.models import FollowUp, FollowUpReason, FollowUpStatus, Invitation, Response
from surveys.services import record_answer
from tests.factories import (
    AccountFactory,
    CustomerContactFactory,
    InvitationFactory,
    UserFactory,
    survey,
)
from tests.smtp import SMTPServer, use_smtp

pytestmark = pytest.mark.django_db

SITE_URL = "https://crm.example.com"


@pytest.fixture(autouse=True)
def eager_tasks(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SITE_URL = SITE_URL


@pytest.fixture
def account() -> Account:
    return AccountFactory(name="Acme", owner=UserFactory(email="owner@example.com"))


@pytest.fixture
def answer(django_capture_on_commit_callbacks):
    """record_answer as a request makes it: committed, then its after-commit tasks run."""

    def record(invitation: Invitation, score: int, comment: str | None = None, **kw) -> Response:
        with django_capture_on_commit_callbacks(execute=True):
            return record_answer(
                invitation, score=score, comment=comment, now=kw.get("now") or timezone.now()
            )

    return record


def invitation_for(
    account: Account, kind: str = "nps", contact: Contact | None = None
) -> Invitation:
    contact = contact or CustomerContactFactory(account=account)
    return InvitationFactory(contact=contact, survey=survey(kind))


def follow_ups(account: Account) -> list[tuple[str, str]]:
    return sorted(FollowUp.objects.filter(account=account).values_list("reason", "status"))


def test_a_detractor_opens_a_follow_up_and_alerts_the_owner_once(account, answer, mailoutbox):
    response = answer(invitation_for(account), score=4, comment="Too slow")

    follow_up = FollowUp.objects.get()
    response.refresh_from_db()
    (alert,) = mailoutbox
    assert follow_up.account == account
    assert follow_up.reason == FollowUpReason.DETRACTOR
    assert follow_up.status == FollowUpStatus.OPEN
    assert list(follow_up.responses.all()) == [response]
    assert response.owner_alerted_at is not None
    assert alert.to == ["owner@example.com"]
    assert "Acme" in alert.subject
    assert "Too slow" in alert.body
    assert f"{SITE_URL}{response.get_absolute_url()}" in alert.body


@pytest.mark.parametrize("score", [7, 8, 9, 10])
def test_a_passive_or_promoter_opens_nothing(account, answer, mailoutbox, score):
    answer(invitation_for(account), score=score)

    assert not FollowUp.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize(("score", "opens"), [(1, True), (2, True), (3, False), (5, False)])
def test_an_unhappy_csat_opens_a_follow_up(account, answer, mailoutbox, score, opens):
    answer(invitation_for(account, "csat"), score=score)

    assert follow_ups(account) == ([(FollowUpReason.UNHAPPY, "open")] if opens else [])
    assert len(mailoutbox) == int(opens)


def test_a_score_of_zero_is_stored_and_counts_as_a_detractor(account, answer, mailoutbox):
    response = answer(invitation_for(account), score=0)

    response.refresh_from_db()
    assert response.score == 0
    assert list(response.revisions.values_list("score", flat=True)) == [0]
    assert follow_ups(account) == [(FollowUpReason.DETRACTOR, "open")]
    assert len(mailoutbox) == 1


def test_a_drop_of_three_from_the_previous_answer_opens_a_score_drop(account, answer, mailoutbox):
    contact = CustomerContactFactory(account=account)
    earlier = timezone.now() - dt.timedelta(days=100)
    answer(invitation_for(account, contact=contact), score=10, now=earlier)

    answer(invitation_for(account, contact=contact), score=7)

    # 7 is a passive: the drop alone is the reason.
    assert follow_ups(account) == [(FollowUpReason.SCORE_DROP, "open")]
    assert len(mailoutbox) == 1


def test_a_drop_of_two_opens_nothing(account, answer, mailoutbox):
    contact = CustomerContactFactory(account=account)
    answer(invitation_for(account, contact=contact), score=9, now=timezone.now() - dt.timedelta(1))

    answer(invitation_for(account, contact=contact), score=7)

    assert follow_ups(account) == []
    assert mailoutbox == []


def test_a_drop_is_measured_against_the_same_kind_of_survey(account, answer):
    contact = CustomerContactFactory(account=account)
    answer(invitation_for(account, "ces", contact), score=7, now=timezone.now() - dt.timedelta(1))

    answer(invitation_for(account, "nps", contact), score=7)

    assert follow_ups(account) == []


def test_a_detractor_who_dropped_gets_both_reasons_and_one_alert(account, answer, mailoutbox):
    contact = CustomerContactFactory(account=account)
    answer(invitation_for(account, contact=contact), score=9, now=timezone.now() - dt.timedelta(1))

    answer(invitation_for(account, contact=contact), score=3)

    assert follow_ups(account) == [
        (FollowUpReason.DETRACTOR, "open"),
        (FollowUpReason.SCORE_DROP, "open"),
    ]
    assert len(mailoutbox) == 1


def test_two_detractors_of_one_account_share_one_follow_up(account, answer, mailoutbox):
    first = answer(invitation_for(account), score=2)
    second = answer(invitation_for(account), score=5)

    follow_up = FollowUp.objects.get()
    assert set(follow_up.responses.all()) == {first, second}
    # One alert per response...
    assert len(mailoutbox) == 2

    # ...and never a second one for the same response, however often it changes.
    answer(first.invitation, score=1)
    answer(first.invitation, score=3, comment="Still bad")
    assert len(mailoutbox) == 2
    campaign_tasks.tick()  # the pipeline's minute tick finds nothing left to send
    assert len(mailoutbox) == 2
    assert Message.objects.filter(email="owner-alert").count() == 2
    assert FollowUp.objects.count() == 1


def test_a_detractor_after_the_follow_up_is_closed_opens_a_new_one(account, answer):
    answer(invitation_for(account), score=2)
    FollowUp.objects.update(status=FollowUpStatus.CLOSED, closed_at=timezone.now())

    answer(invitation_for(account), score=3)

    assert follow_ups(account) == [
        (FollowUpReason.DETRACTOR, "closed"),
        (FollowUpReason.DETRACTOR, "open"),
    ]


def test_an_account_without_an_owner_still_gets_its_follow_up(answer, mailoutbox):
    account = AccountFactory(owner=None)

    answer(invitation_for(account), score=1)

    assert follow_ups(account) == [(FollowUpReason.DETRACTOR, "open")]
    assert mailoutbox == []


def test_the_owner_alert_is_a_message_of_the_sending_pipeline(account, answer, mailoutbox):
    response = answer(invitation_for(account), score=3)

    alert = Message.objects.get(alerted_response=response)
    assert (alert.recipient, alert.contact, alert.campaign) == ("owner@example.com", None, None)
    assert alert.status == MessageStatus.SENT
    assert alert.message_id == mailoutbox[0].extra_headers["Message-ID"]


def test_an_alert_whose_task_was_lost_goes_on_a_later_tick(account, mailoutbox):
    # No after-commit callbacks run: the task was never enqueued.
    response = record_answer(invitation_for(account), score=3, now=timezone.now())
    assert mailoutbox == []

    campaign_tasks.tick()
    campaign_tasks.tick()

    assert len(mailoutbox) == 1
    assert Message.objects.get(alerted_response=response).status == MessageStatus.SENT


def test_an_alert_waits_out_a_mail_server_outage_and_goes_once(account, answer, settings):
    server = SMTPServer(start=False)  # nothing listens on its port yet
    use_smtp(settings, server.port)
    response = answer(invitation_for(account), score=2, comment="Too slow")
    alert = Message.objects.get(alerted_response=response)
    assert alert.status == MessageStatus.QUEUED
    assert "Mail server unavailable" in alert.error

    server.start()
    try:
        campaign_tasks.tick()
        campaign_tasks.tick()
    finally:
        server.stop()

    (sent,) = server.messages
    assert sent["To"] == "owner@example.com"
    assert "Too slow" in sent.get_body(("plain",)).get_content()
    assert Message.objects.get(pk=alert.pk).status == MessageStatus.SENT


def test_updating_an_answer_keeps_every_revision(account, answer):
    invitation = invitation_for(account)

    answer(invitation, score=8, comment="Good")
    answer(invitation, score=8, comment="Good")  # a double click changes nothing
    answer(invitation, score=3)  # the one-click score keeps the comment
    response = answer(invitation, score=3, comment="Actually, support was slow")

    assert Response.objects.count() == 1
    assert response.score == 3
    assert response.comment == "Actually, support was slow"
    assert list(response.revisions.values_list("score", "comment")) == [
        (8, "Good"),
        (3, "Good"),
        (3, "Actually, support was slow"),
    ]


@pytest.mark.parametrize(("kind", "score"), [("nps", 11), ("csat", 0), ("ces", 8), ("nps", -1)])
def test_a_score_outside_the_scale_is_refused(account, kind, score):
    with pytest.raises(ValueError, match="outside"):
        record_answer(invitation_for(account, kind), score=score, now=timezone.now())

    assert not Response.objects.exists()


def test_an_answer_is_saved_even_when_the_broker_is_down(
    monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr(campaign_tasks.send_messages, "delay", broker_down)
    invitation = InvitationFactory(contact__account__owner=UserFactory(email="owner@example.com"))

    with django_capture_on_commit_callbacks(execute=True):
        response = record_answer(invitation, score=2, comment="", now=timezone.now())

    # Saved, follow-up opened; the owner alert is queued for the next campaigns.tick.
    assert Response.objects.get(pk=response.pk).owner_alert.status == MessageStatus.QUEUED
    assert FollowUp.objects.filter(account=invitation.account).exists()
