from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.demo import DemoDataExists
from lifecycle.ops.demo import delete_demo, generate_demo

# What `make run` loads on first start (bootstrap calls this command with no options).
DEFAULT_ACCOUNTS = 300
DEFAULT_SEED = 42


class Command(BaseCommand):
    help = (
        "Create realistic synthetic demo data: B2B accounts, contacts and four years of "
        "subscription history ending today (a launch year, then steady growth). Demo rows "
        "have external IDs starting with demo-."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--accounts", type=int, default=DEFAULT_ACCOUNTS, help="How many accounts."
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Same seed, same data.")
        parser.add_argument(
            "--reset", action="store_true", help="Delete the earlier demo rows first."
        )

    def handle(self, *args: Any, accounts: int, seed: int, reset: bool, **options: Any) -> None:
        if accounts < 0:
            raise CommandError("--accounts cannot be negative.")
        began = time.perf_counter()
        try:
            with transaction.atomic():
                if reset:
                    delete_demo()
                summary = generate_demo(accounts=accounts, seed=seed, today=timezone.localdate())
        except DemoDataExists as exc:
            raise CommandError(f"{exc} Run seed_demo --reset to replace it.") from exc
        elapsed = time.perf_counter() - began
        self.stdout.write(f"Demo data (seed {seed}): {summary}. Took {elapsed:.1f} s.")
