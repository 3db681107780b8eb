"""Thin Celery tasks: ids in, a service call, nothing else. Beat only makes things faster;
the Message rows are the record, so a lost or repeated task changes nothing."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from campaigns import pipeline
from campaigns.models import Campaign, Trigger
from campaigns.services import plan_rolling


@shared_task(name="campaigns.tick")
def tick() -> int:
    """Every minute: send what is due, re-drive what was lost, flag what died mid-send."""
    now = timezone.now()
    pipeline.review_stuck(now=now)
    return pipeline.dispatch_due(now=now, enqueue=send_messages.delay)


@shared_task(name="campaigns.send_messages")
def send_messages(message_ids: list[int]) -> int:
    return pipeline.send_chunk(message_ids)


@shared_task(name="campaigns.run_campaign")
def run_campaign(campaign_id: int) -> int:
    """A campaign's own beat schedule: queue this cycle's due contacts and the reminders."""
    campaign = Campaign.objects.select_related("survey").filter(pk=campaign_id).first()
    if campaign is None or not campaign.enabled:
        return 0
    now = timezone.now()
    created = 0
    if campaign.trigger == Trigger.ROLLING:
        created += plan_rolling(campaign, now=now)
    if campaign.survey_id:
        from surveys.services import plan_reminders

        created += plan_reminders(campaign, now=now)
    return created
