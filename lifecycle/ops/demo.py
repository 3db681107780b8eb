"""Demo data across the layers: the CRM history (accounts.demo), then the survey answers
that lean on it (surveys.demo), from one random stream, so a seed always gives the same data."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from accounts.demo import DemoSummary, delete_crm_demo, demo_summary, generate_crm_demo
from surveys.demo import add_survey_history, delete_survey_demo


def generate_demo(*, accounts: int, seed: int, today: dt.date) -> DemoSummary:
    """Create `accounts` demo accounts with history up to `today`, in one transaction."""
    with transaction.atomic():
        rng, rows = generate_crm_demo(accounts=accounts, seed=seed, today=today)
        add_survey_history(
            rng, contacts=rows.contacts, subscriptions=rows.subscriptions, today=today
        )
        return demo_summary(today=today)


def delete_demo() -> int:
    """Delete every demo row, answers first; returns how many rows went."""
    return delete_survey_demo() + delete_crm_demo()
