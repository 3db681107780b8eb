"""Closing the loop: a bad answer opens its one follow-up item, assigned to the account
owner, and alerts the owner. (How long the alert waits for the comment:
test_owner_alerts.py; here it goes at once.)"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction
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
    settings.OWNER_ALERT_DELAY_MINUTES = 0


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
    return sorted(FollowUp.objects.filter(account=account).values_list("reasons", "status"))


def test_a_detractor_opens_a_follow_up_and_alerts_the_owner_once(account, answer, mailoutbox):
    response = answer(invitation_for(account), score=4, comment="Too slow")

    follow_up = FollowUp.objects.get()
    response.refresh_from_db()
    (alert,) = mailoutbox
    assert follow_up.account == account
    assert follow_up.reason_list == [FollowUpReason.DETRACTOR]
    assert follow_up.status == FollowUpStatus.OPEN
    assert follow_up.response == response
    assert follow_up.assignee == account.owner
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


def test_an_nps_3_that_is_also_a_drop_opens_one_item_with_both_reasons(account, answer, mailoutbox):
    contact = CustomerContactFactory(account=account)
    answer(invitation_for(account, contact=contact), score=9, now=timezone.now() - dt.timedelta(1))

    response = answer(invitation_for(account, contact=contact), score=3, comment="Worse")

    (item,) = FollowUp.objects.all()
    assert item.response == response
    assert item.get_reasons_display() == "NPS detractor, Score dropped"
    (alert,) = mailoutbox
    assert "NPS detractor, Score dropped" in alert.body


def test_another_contact_of_the_same_account_gets_an_item_of_their_own(account, answer, mailoutbox):
    first = answer(invitation_for(account), score=2)
    second = answer(invitation_for(account), score=5)

    items = FollowUp.objects.filter(account=account).order_by("pk")
    assert [item.response for item in items] == [first, second]
    assert [item.status for item in items] == [FollowUpStatus.OPEN, FollowUpStatus.OPEN]
    # One alert per response...
    assert len(mailoutbox) == 2

    # ...and never a second one for the same response, however often it changes.
    answer(first.invitation, score=1)
    answer(first.invitation, score=3, comment="Still bad")
    assert len(mailoutbox) == 2
    campaign_tasks.tick()  # the pipeline's minute tick finds nothing left to send
    assert len(mailoutbox) == 2
    assert Message.objects.filter(email="owner-alert").count() == 2
    assert FollowUp.objects.count() == 2


def test_a_changed_score_updates_the_reasons_of_the_same_item(account, answer):
    contact = CustomerContactFactory(account=account)
    answer(invitation_for(account, contact=contact), score=8, now=timezone.now() - dt.timedelta(1))
    invitation = invitation_for(account, contact=contact)
    answer(invitation, score=3)
    (item,) = FollowUp.objects.all()
    assert item.reason_list == [FollowUpReason.DETRACTOR, FollowUpReason.SCORE_DROP]

    answer(invitation, score=6)  # still a detractor, but 2 below the 8: no drop

    (same,) = FollowUp.objects.all()
    assert same.pk == item.pk
    assert same.reason_list == [FollowUpReason.DETRACTOR]


def test_a_changed_score_keeps_the_assignee_staff_chose(account, answer, marketer):
    invitation = invitation_for(account)
    answer(invitation, score=5)
    FollowUp.objects.update(assignee=marketer)

    answer(invitation, score=2)

    assert FollowUp.objects.get().assignee == marketer


def test_a_score_changed_to_a_good_one_leaves_the_item_for_staff(account, answer):
    invitation = invitation_for(account)
    answer(invitation, score=3)

    answer(invitation, score=9)

    assert follow_ups(account) == [(FollowUpReason.DETRACTOR, "open")]


def test_a_retried_answer_opens_no_second_item_and_queues_no_second_alert(account, answer):
    invitation = invitation_for(account)
    now = timezone.now()

    for _ in range(3):  # the same POST again and again (a retry, a double click)
        answer(invitation, score=2, now=now)

    assert FollowUp.objects.count() == 1
    assert Message.objects.filter(email="owner-alert").count() == 1


def test_the_database_refuses_a_second_item_for_one_answer(account, answer):
    response = answer(invitation_for(account), score=2)

    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(account=account, response=response, reasons="detractor")


@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_to_one_invitation_open_one_item(settings):
    settings.OWNER_ALERT_DELAY_MINUTES = 10  # nothing is sent here: only rows count
    invitation = invitation_for(AccountFactory(owner=UserFactory(email="o@example.com")))
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def answer_now(score: int) -> None:
        try:
            start.wait()
            record_answer(invitation, score=score, now=timezone.now())
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer_now, args=(score,)) for score in (2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Response.objects.count() == 1
    (item,) = FollowUp.objects.all()
    assert item.response == Response.objects.get()
    assert Message.objects.filter(email="owner-alert").count() == 1


def test_a_later_detractor_opens_its_own_item_while_the_first_is_closed(account, answer):
    answer(invitation_for(account), score=2)
    FollowUp.objects.update(status=FollowUpStatus.CLOSED, closed_at=timezone.now())

    answer(invitation_for(account), score=3)

    assert follow_ups(account) == [
        (FollowUpReason.DETRACTOR, "closed"),
        (FollowUpReason.DETRACTOR, "open"),
    ]


def test_an_account_without_an_owner_gets_an_unassigned_item_and_no_email(answer, mailoutbox):
    account = AccountFactory(owner=None)

    answer(invitation_for(account), score=1)

    assert follow_ups(account) == [(FollowUpReason.DETRACTOR, "open")]
    assert FollowUp.objects.get().assignee is None
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
