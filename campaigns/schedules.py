"""Each campaign's own django-celery-beat entry: "Campaign <slug>", campaigns.run_campaign
with the campaign's id, every hour, enabled exactly when the campaign is.

Beat reads PeriodicTask rows, so editing a campaign must edit its row too; saving through
the model (not a queryset update) lets django-celery-beat notice the change.
"""

from __future__ import annotations

import json

from django_celery_beat.models import IntervalSchedule, PeriodicTask

from campaigns.models import Campaign

TASK = "campaigns.run_campaign"


def schedule_name(campaign: Campaign) -> str:
    return f"Campaign {campaign.slug}"


def hourly() -> IntervalSchedule:
    interval, _created = IntervalSchedule.objects.get_or_create(
        every=1, period=IntervalSchedule.HOURS
    )
    return interval


def ensure_schedule(campaign: Campaign) -> PeriodicTask:
    """Create or update the campaign's PeriodicTask so that it matches the campaign."""
    name = schedule_name(campaign)
    task = campaign.periodic_task or PeriodicTask.objects.filter(name=name).first()
    if task is None:
        task = PeriodicTask(name=name)
    # A leftover entry of a deleted campaign may hold the name a renamed campaign needs.
    PeriodicTask.objects.filter(name=name, campaign__isnull=True).exclude(pk=task.pk).delete()
    task.name = name
    task.task = TASK
    task.args = json.dumps([campaign.pk])
    task.interval = hourly()
    task.crontab = task.solar = task.clocked = None
    task.one_off = False
    task.enabled = campaign.enabled
    task.save()
    if campaign.periodic_task_id != task.pk:
        campaign.periodic_task = task
        campaign.save(update_fields=["periodic_task"])
    return task


def remove_schedule(campaign: Campaign) -> None:
    """Delete the campaign's beat entry (before the campaign itself is deleted)."""
    if campaign.periodic_task_id is not None:
        PeriodicTask.objects.filter(pk=campaign.periodic_task_id).delete()
