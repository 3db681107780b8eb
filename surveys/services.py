"""Workflows with side effects: inviting, recording an answer, closing the loop."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.models import Campaign, Message, MessageStatus
from campaigns.tasks import send_messages
from lifecycle.lib.queueing import enqueue_on_commit
from surveys import scoring
from surveys.models import (
    CampaignSurvey,
    FollowUp,
    FollowUpReason,
    FollowUpStatus,
    Invitation,
    Response,
    ResponseRevision,
    ResponseSource,
    Survey,
    WebhookDelivery,
    WebhookEndpoint,
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

    `comment=None` keeps the current comment (the one-click score arrives without one)."""
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
            previous_score = None
            created = True
        else:
            previous_score = response.score
            created = False
            if response.score == score and (comment is None or comment == response.comment):
                return response
            response.score = score
            if comment is not None:
                response.comment = comment
            response.save(update_fields=["score", "comment", "updated_at"])
        ResponseRevision.objects.create(
            response=response, score=response.score, comment=response.comment, recorded_at=now
        )
        if created or previous_score != score:
            close_the_loop(response, now=now)
        if created:
            queue_webhooks(response, now=now)
    return response


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
    """The contact's answer of the same kind before this one."""
    earlier = (
        Response.objects.filter(contact=response.contact_id, kind=response.kind)
        .exclude(pk=response.pk)
        .filter(submitted_at__lte=response.submitted_at)
        .order_by("-submitted_at", "-pk")
        .values_list("score", flat=True)
        .first()
    )
    return earlier


def follow_up_reasons(response: Response) -> list[str]:
    reasons = []
    if scoring.needs_follow_up(response.kind, response.score):
        reasons.append(
            FollowUpReason.DETRACTOR if response.kind == "nps" else FollowUpReason.UNHAPPY
        )
    if scoring.dropped(previous_score(response), response.score):
        reasons.append(FollowUpReason.SCORE_DROP)
    return reasons


def close_the_loop(response: Response, *, now: dt.datetime) -> list[FollowUp]:
    """Open (or join) the account's follow-up items and alert the owner once."""
    follow_ups = [open_follow_up(response, reason) for reason in follow_up_reasons(response)]
    if follow_ups and response.owner_alerted_at is None:
        queue_owner_alert(response, now=now)
    return follow_ups


def queue_owner_alert(response: Response, *, now: dt.datetime) -> Message | None:
    """Queue the email to the account owner about a bad answer, once per answer.

    It is a Message like any other, so the pipeline claims it, retries it while the mail
    server is down and never sends it twice; the workers get it at once after commit."""
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
            due_at=now,
        )
        Response.objects.filter(pk=response.pk).update(owner_alert=alert)
    response.owner_alerted_at, response.owner_alert = now, alert
    enqueue_on_commit(send_messages, [alert.pk])
    return alert


def open_follow_up(response: Response, reason: str) -> FollowUp:
    """The account's one open item for `reason`, created if none is open."""
    open_items = FollowUp.objects.filter(
        account=response.account_id, reason=reason, status=FollowUpStatus.OPEN
    )
    follow_up = open_items.first()
    if follow_up is None:
        try:
            with transaction.atomic():
                follow_up = FollowUp.objects.create(account=response.account, reason=reason)
        except IntegrityError:  # opened by a concurrent answer from the same account
            follow_up = open_items.get()
    follow_up.responses.add(response)
    return follow_up


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
