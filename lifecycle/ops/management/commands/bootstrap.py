"""What `make run` does before it starts the servers: defaults, demo data, a demo login."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Account
from campaigns.services import plan_enabled_campaigns
from lifecycle.staff.roles import ADMIN, assign_role

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"


class Command(BaseCommand):
    help = "Prepare a local instance: demo data on first run and a demo staff login."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-demo-data", action="store_true", help="Skip the demo data.")

    def handle(self, *args: Any, no_demo_data: bool = False, **options: Any) -> None:
        if not settings.DEBUG:
            # A well-known password must never exist on a deployed instance.
            raise CommandError("bootstrap is for local use; it refuses to run with DEBUG off.")
        if not no_demo_data and not Account.objects.exists():
            self.stdout.write("First run: loading demo data…")
            call_command("seed_demo", stdout=self.stdout)
        self._ensure_demo_login()
        # Beat runs each campaign hourly, the first time an hour after it starts: plan now,
        # so today's and tomorrow's messages show in admin at once.
        planned = plan_enabled_campaigns(now=timezone.now())
        self.stdout.write(f"Campaigns planned: {planned} new messages queued.")
        url = f"{settings.SITE_URL}/login/"
        self.stdout.write(
            self.style.SUCCESS(f"Sign in at {url} as {DEMO_USERNAME} / {DEMO_PASSWORD}")
        )

    def _ensure_demo_login(self) -> None:
        user, created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={"email": "demo@lifecycle.example", "first_name": "Demo"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        assign_role(user, ADMIN)
