"""`python manage.py send_campaign SLUG`: today's occurrence now, through beat's Celery path."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.services import NoEmail, send_now
from campaigns.tasks import send_messages


class Command(BaseCommand):
    help = (
        "Queue today's occurrence of a campaign for its whole current audience, due now, and "
        "hand it to the workers. Eligibility rules still apply; a second run sends nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the campaign's slug, for example nps-quarterly")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = Campaign.objects.filter(slug=options["slug"]).first()
        if campaign is None:
            slugs = ", ".join(Campaign.objects.values_list("slug", flat=True))
            raise CommandError(f"No campaign {options['slug']!r}. Campaigns: {slugs}.")
        if not campaign.enabled:
            raise CommandError(f"Campaign {campaign.slug!r} is disabled; enable it in admin.")
        try:
            queued, dispatched = send_now(campaign, now=timezone.now(), enqueue=send_messages.delay)
        except NoEmail as exc:
            raise CommandError(f"Campaign {campaign.slug!r} cannot send yet. {exc}") from exc
        self.stdout.write(
            f"{campaign.slug}: {queued} new messages queued; "
            f"{dispatched} due messages handed to the workers."
        )
