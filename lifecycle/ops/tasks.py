from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from lifecycle.ops.models import Heartbeat

WORKER = "worker"


@shared_task(name="ops.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Beat sends this every minute; a recent row proves that beat and a worker both run."""
    Heartbeat.objects.update_or_create(name=WORKER, defaults={"last_seen": timezone.now()})
