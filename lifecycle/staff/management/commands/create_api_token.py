"""`manage.py create_api_token USERNAME [--days N]`: issue an API token and print its key,
the only time anyone sees it (only a hash is stored)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lifecycle.staff.api_tokens import MAX_TOKEN_DAYS, issue_token


class Command(BaseCommand):
    help = "Issue an API token for a user and print its key; it cannot be shown again."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", help="The user the integration acts as.")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"How long it works (default API_TOKEN_DAYS, now {settings.API_TOKEN_DAYS}).",
        )

    def handle(self, *args: Any, username: str, days: int | None, **options: Any) -> None:
        if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
            raise CommandError(f"--days must be 1 to {MAX_TOKEN_DAYS}.")
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        token, key = issue_token(user, days=days)
        # The key alone on standard output, so that a script can capture it.
        self.stdout.write(key)
        self.stderr.write(
            f"Valid until {token.expiry:%Y-%m-%d %H:%M} UTC. Send it as "
            '"Authorization: Token KEY"; it is not stored and cannot be shown again.'
        )
