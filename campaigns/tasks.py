"""Thin Celery tasks: ids in, a service call, nothing else. Beat only makes things faster;
the Message rows are the record, so a lost or repeated task changes nothing."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from campaigns import pipeline
from campaigns.models import Campaign
from campaigns.services import run_schedule


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
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or not campaign.enabled:
        return 0
    return run_schedule(campaign, now=timezone.now())
