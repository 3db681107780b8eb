from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from surveys import services, webhooks
from surveys.models import Response


@shared_task(name="surveys.alert_owner")
def alert_owner(response_id: int) -> bool:
    """Tasks the previous release left in the broker: queue their alert as a Message (once;
    surveys 0004 queued the rest). Nothing enqueues this any more; drop it next release."""
    response = Response.objects.select_related("account__owner").filter(pk=response_id).first()
    return bool(response and services.queue_owner_alert(response, now=timezone.now()))


@shared_task(name="surveys.tick")
def tick() -> None:
    """Every minute: webhook deliveries whose task was lost or failed. (Owner alerts are
    Messages: campaigns.tick sends them once their wait for the comment is over, and
    re-drives those whose task was lost.)"""
    webhooks.deliver_due(now=timezone.now())


@shared_task(name="surveys.deliver_webhooks")
def deliver_webhooks() -> int:
    return webhooks.deliver_due(now=timezone.now())
