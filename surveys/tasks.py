from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from surveys import webhooks


@shared_task(name="surveys.tick")
def tick() -> None:
    """Every minute: webhook deliveries whose task was lost or failed (owner alerts are
    Messages: campaigns.tick re-drives them)."""
    webhooks.deliver_due(now=timezone.now())


@shared_task(name="surveys.deliver_webhooks")
def deliver_webhooks() -> int:
    return webhooks.deliver_due(now=timezone.now())
