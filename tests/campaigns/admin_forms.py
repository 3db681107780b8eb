"""The POST data of Django admin's campaign form, for the admin tests."""

from __future__ import annotations


def campaign_form(**values: object) -> dict[str, object]:
    return {
        "name": "Winback",
        "slug": "winback",
        "description": "",
        "category": "marketing",
        "enabled": "on",
        "survey": "",
        "trigger": "rolling",
        "cycle_months": "3",
        "send_hour": "9",
        "event_type": "",
        "delay_minutes": "60",
        "reminder_after_days": "0",
        "when_capped": "defer",
        "holdout_percent": "0",
        "audience": "",
        "drip": "",
        "step_day": "0",
        "goal_event": "",
        "exit_when_customer": "on",
        "contents-TOTAL_FORMS": "0",  # the email content inline, left empty
        "contents-INITIAL_FORMS": "0",
        **values,
    }
