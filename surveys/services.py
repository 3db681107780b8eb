"""Workflows with side effects: inviting, recording an answer, closing the loop."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.audience import reachable
from campaigns.models import Campaign, Message, MessageStatus
from campaigns.tasks import send_messages
from lifecycle.lib.queueing import enqueue_on_commit
from surveys import scoring
from surveys.models import (
    CampaignSurvey,
    FollowUp,
    FollowUpReason,
    Invitation,
    Response,
    ResponseRevision,
    ResponseSource,
    Survey,
    WebhookDelivery,
    WebhookEndpoint,
    join_reasons,
    survey_of,
)

INVITATION_EMAIL = "survey-invitation"
REMINDER_EMAIL = "survey-reminder"
OWNER_ALERT_EMAIL = "owner-alert"


def link_survey(campaign: Campaign, survey: Survey | None) -> None:
    """Make `campaign` ask `survey` (None: no survey)."""
    if survey is None:
        CampaignSurvey.objects.filter(campaign=campaign).delete()
    else:
        CampaignSurvey.objects.update_or_create(campaign=campaign, defaults={"survey": survey})
    # Drop the cached link so survey_of() sees the change.
    campaign._state.fields_cache.pop("survey_link", None)


def invitation_for(message: Message, *, language: str) -> Invitation:
    """The invitation a survey message carries, made once per message."""
    survey = survey_of(message.campaign)
    invitation, _created = Invitation.objects.get_or_create(
        message=message,
        defaults={
            "survey": survey,
            "contact": message.contact,
            "account_id": message.contact.account_id,
            "language": language,
            "expires_at": timezone.now() + dt.timedelta(days=survey.expires_after_days),
        },
    )
    return invitation


def record_answer(
    invitation: Invitation, *, score: int, comment: str | None = None, now: dt.datetime
) -> Response:
    """Store or update the one response of an invitation, keeping every earlier version.

    `comment=None` keeps the current comment (the one-click score arrives without one); any
    other value is the answer form sent, so the customer has said all they will: the owner
    alert waiting for the comment goes now."""
    if not scoring.in_scale(invitation.survey.kind, score):
        raise ValueError(f"{score} is outside the {invitation.survey.kind} scale")
    with transaction.atomic():
        response = Response.objects.select_for_update().filter(invitation=invitation).first()
        if response is None:
            try:
                with transaction.atomic():
                    response = _create(invitation, score=score, comment=comment or "", now=now)
            except IntegrityError:  # a concurrent first answer won: update that one instead
                return record_answer(invitation, score=score, comment=comment, now=now)
            _recorded(response, now=now, created=True, score_changed=True)
        elif response.score != score or (comment is not None and comment != response.comment):
            score_changed = response.score != score
            response.score = score
            if comment is not None:
                response.comment = comment
            response.save(update_fields=["score", "comment", "updated_at"])
            _recorded(response, now=now, created=False, score_changed=score_changed)
        if comment is not None:
            hurry_owner_alert(response, now=now)
    return response


def _recorded(response: Response, *, now: dt.datetime, created: bool, score_changed: bool) -> None:
    ResponseRevision.objects.create(
        response=response, score=response.score, comment=response.comment, recorded_at=now
    )
    if score_changed:
        close_the_loop(response, now=now)
    if created:
        queue_webhooks(response, now=now)


def _create(invitation: Invitation, *, score: int, comment: str, now: dt.datetime) -> Response:
    return Response.objects.create(
        invitation=invitation,
        survey=invitation.survey,
        kind=invitation.survey.kind,
        contact=invitation.contact,
        account=invitation.account,
        score=score,
        comment=comment,
        language=invitation.language,
        source=ResponseSource.EMAIL,
        submitted_at=now,
    )


def previous_score(response: Response) -> int | None:
    """The contact's answer of the same kind before this one (none for an anonymised one)."""
    if response.contact_id is None:
        return None
    earlier = (
        Response.objects.filter(contact=response.contact_id, kind=response.kind)
        .exclude(pk=response.pk)
        .filter(submitted_at__lte=response.submitted_at)
        .order_by("-submitted_at", "-pk")
        .values_list("score", flat=True)
        .first()
    )
    return earlier


def reasons_for(kind: str, score: int, previous: int | None) -> list[str]:
    """Why an answer needs a follow-up item, given the contact's previous score of the kind."""
    reasons = []
    if scoring.needs_follow_up(kind, score):
        reasons.append(FollowUpReason.DETRACTOR if kind == "nps" else FollowUpReason.UNHAPPY)
    if scoring.dropped(previous, score):
        reasons.append(FollowUpReason.SCORE_DROP)
    return reasons


def follow_up_reasons(response: Response) -> list[str]:
    return reasons_for(response.kind, response.score, previous_score(response))


def close_the_loop(response: Response, *, now: dt.datetime) -> FollowUp | None:
    """Open the answer's one follow-up item (or give it the reasons of the new score) and
    alert the owner once.

    A score changed to one that needs nothing leaves the item as it was: the customer did
    answer badly, and staff decide; the alert, built when it is sent, is skipped then."""
    reasons = follow_up_reasons(response)
    if not reasons:
        return None
    follow_up = _follow_up(response, reasons=lambda _current: reasons, now=now)
    if response.owner_alerted_at is None:
        queue_owner_alert(response, now=now)
    return follow_up


def open_follow_up(response: Response, reason: str, *, now: dt.datetime | None = None) -> FollowUp:
    """The answer's one follow-up item, opened if it has none, with `reason` among its
    reasons (added to those it has)."""
    return _follow_up(response, reasons=lambda current: [*current, reason], now=now)


def _follow_up(
    response: Response,
    *,
    reasons: Callable[[list[str]], list[str]],
    now: dt.datetime | None,
) -> FollowUp:
    """Create or update the item of `response`; `reasons` maps its current reasons to the
    new ones. The item's row is locked, so two writers cannot lose each other's reasons."""
    with transaction.atomic():
        # get_or_create retries the read when a concurrent writer created it first (the
        # unique response decides), so a retried or concurrent answer gets the same item.
        follow_up, created = FollowUp.objects.get_or_create(
            response=response,
            defaults={
                "account_id": response.account_id,
                "reasons": join_reasons(reasons([])),
                "assignee_id": response.account.owner_id,  # unassigned without an owner
                "opened_at": now or timezone.now(),
            },
        )
        if created:
            return follow_up
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        wanted = join_reasons(reasons(follow_up.reason_list))
        if wanted != follow_up.reasons:
            follow_up.reasons = wanted
            follow_up.save(update_fields=["reasons"])
    return follow_up


def owner_alert_delay() -> dt.timedelta:
    return dt.timedelta(minutes=settings.OWNER_ALERT_DELAY_MINUTES)


def queue_owner_alert(response: Response, *, now: dt.datetime) -> Message | None:
    """Queue the email to the account owner about a bad answer, once per answer.

    It is a Message like any other, so the pipeline claims it, retries it while the mail
    server is down and never sends it twice. It waits OWNER_ALERT_DELAY_MINUTES for the
    customer's comment (hurry_owner_alert sends it when the comment comes; campaigns.tick
    sends it once it is due); without a delay the workers get it at once after commit."""
    owner = response.account.owner
    if owner is None or not owner.email:
        return None
    with transaction.atomic():
        claimed = Response.objects.filter(pk=response.pk, owner_alerted_at__isnull=True).update(
            owner_alerted_at=now
        )
        if not claimed:  # a concurrent answer of the same response queued it
            return None
        alert = Message.objects.create(
            recipient=owner.email,
            email=OWNER_ALERT_EMAIL,
            occurrence=f"owner-alert:{response.pk}",
            due_at=now + owner_alert_delay(),
        )
        Response.objects.filter(pk=response.pk).update(owner_alert=alert)
    response.owner_alerted_at, response.owner_alert = now, alert
    if alert.due_at <= now:
        enqueue_on_commit(send_messages, [alert.pk])
    return alert


def hurry_owner_alert(response: Response, *, now: dt.datetime) -> bool:
    """The customer sent the answer form: an alert still waiting for the comment is due now
    and goes to the workers after commit. One already sent, or retrying after a mail
    server error, is left alone."""
    if response.owner_alert_id is None:
        return False
    waiting = Message.objects.filter(
        pk=response.owner_alert_id, status=MessageStatus.QUEUED, attempts=0, due_at__gt=now
    )
    if not waiting.update(due_at=now):
        return False
    enqueue_on_commit(send_messages, [response.owner_alert_id])
    return True


def queue_webhooks(response: Response, *, now: dt.datetime) -> None:
    endpoints = WebhookEndpoint.objects.filter(is_active=True)
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint=e, response=response, next_attempt_at=now) for e in endpoints],
        ignore_conflicts=True,
    )
    if endpoints:
        from surveys.tasks import deliver_webhooks

        enqueue_on_commit(deliver_webhooks)


def plan_reminders(campaign: Campaign, *, now: dt.datetime) -> int:
    """One reminder per unanswered, unexpired invitation once the campaign's delay has passed."""
    if not campaign.reminder_after_days:
        return 0
    waiting = Invitation.objects.filter(
        message__campaign=campaign,
        message__status=MessageStatus.SENT,
        message__sent_at__lte=now - dt.timedelta(days=campaign.reminder_after_days),
        expires_at__gt=now + dt.timedelta(days=1),
        reminder__isnull=True,
        response__isnull=True,
        # Who unsubscribed, withdrew consent or whose address is suppressed since the
        # invitation gets no reminder (the pipeline checks again when it is due).
        contact__in=reachable(campaign).values("pk"),
    ).select_related("message")
    created = 0
    for invitation in waiting.iterator(chunk_size=500):
        created += _queue_reminder(campaign, invitation, now=now)
    return created


def _queue_reminder(campaign: Campaign, invitation: Invitation, *, now: dt.datetime) -> int:
    with transaction.atomic():
        reminder, created = Message.objects.get_or_create(
            campaign=campaign,
            contact_id=invitation.contact_id,
            occurrence=f"reminder:{invitation.pk}",
            defaults={"email": REMINDER_EMAIL, "due_at": now},
        )
        Invitation.objects.filter(pk=invitation.pk, reminder__isnull=True).update(reminder=reminder)
    return int(created)
