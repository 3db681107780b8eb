from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from surveys import emails, webhooks


@shared_task(
    name="surveys.alert_owner",
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=10,
)
def alert_owner(response_id: int) -> bool:
    return emails.send_owner_alert(response_id)


@shared_task(name="surveys.tick")
def tick() -> None:
    """Every minute: owner alerts and webhook deliveries whose task was lost or failed."""
    now = timezone.now()
    for response_id in emails.unalerted_responses(now=now):
        alert_owner.delay(response_id)
    webhooks.deliver_due(now=now)


@shared_task(name="surveys.deliver_webhooks")
def deliver_webhooks() -> int:
    return webhooks.deliver_due(now=timezone.now())
