from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from lifecycle.metrics.forms import MetricsForm
from lifecycle.metrics.params import command_query
from lifecycle.metrics.queries import period_metrics


class Command(BaseCommand):
    help = "The retention metrics of docs/metrics.md for the period [start, end)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--end", required=True, help="day after the last day, YYYY-MM-DD")
        parser.add_argument("--json", action="store_true", help="one JSON object")
        parser.add_argument("--industry", default="")
        parser.add_argument("--band", default="", help="employee band, e.g. 11-50")
        parser.add_argument("--country", default="")
        parser.add_argument("--owner", default="", help="the account owner's email")
        parser.add_argument("--cohort", default="", help="month of first customer day, YYYY-MM")

    def handle(self, *args: Any, **options: Any) -> None:
        query = command_query(MetricsForm, options)
        metrics = period_metrics(query["range"], query["segment"])
        if options["json"]:
            self.stdout.write(json.dumps(metrics))
            return
        width = max(len(key) for key in metrics)
        for key, value in metrics.items():
            self.stdout.write(f"{key:<{width}}  {'—' if value is None else value}")
