"""Time `import_crm` on 100,000 subscriptions against a throw-away SQLite database.

    .venv/bin/python bench/import_subscriptions.py [--rows 100000] [--accounts 10000]

Prints absolute seconds and the ratio to a baseline measured in the same run on the same
file: reading it with the csv module and nothing else.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="subscriptions to import")
    parser.add_argument("--accounts", type=int, help="accounts they belong to (rows / 10)")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def setup_django(database: Path) -> None:
    # Before django.setup(): the settings read DATABASE_URL once, at import.
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifecycle.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def write_accounts(path: Path, count: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["external_id", "name", "industry", "employees", "country"])
        for n in range(count):
            writer.writerow([f"acc-{n}", f"Account {n}", "Software", n % 5000 + 1, "US"])


def subscription_row(n: int, accounts: int, rng: random.Random) -> list[object]:
    started = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(2400))
    ended = started + dt.timedelta(days=rng.randrange(30, 900)) if rng.random() < 0.3 else None
    cancel_type = rng.choice(["voluntary", "involuntary", ""]) if ended else ""
    return [
        f"sub-{n}",
        f"acc-{rng.randrange(accounts)}",
        rng.choice(["Starter", "Pro", "Enterprise"]),
        f"{rng.randrange(0, 500_000) / 100:.2f}",
        rng.randrange(1, 50),
        started.isoformat(),
        ended.isoformat() if ended else "",
        cancel_type,
        "Moved to a competitor" if cancel_type == "voluntary" else "",
    ]


def write_subscriptions(path: Path, rows: int, accounts: int, seed: int) -> None:
    rng = random.Random(seed)
    header = "external_id,account_external_id,plan,mrr,quantity,started_on,ended_on,"
    header += "cancel_type,cancel_reason"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header.split(","))
        writer.writerows(subscription_row(n, accounts, rng) for n in range(rows))


def timed(action: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = action()
    return value, time.perf_counter() - start


def csv_baseline(path: Path) -> int:
    with path.open(newline="", encoding="utf-8-sig") as file:
        return sum(1 for _row in csv.reader(file)) - 1


def run_import(kind: str, path: Path, dry_run: bool = False) -> object:
    from accounts.importer import import_crm

    with path.open("rb") as stream:
        result = import_crm(sources={kind: (str(path), stream)}, dry_run=dry_run)
    if not result.ok:
        sys.exit("\n".join(str(error) for error in result.errors[:20]))
    return result


def main() -> None:
    args = parse_args()
    accounts = args.accounts or max(1, args.rows // 10)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        work = Path(folder)
        setup_django(work / "bench.sqlite3")
        accounts_csv, subscriptions_csv = work / "accounts.csv", work / "subscriptions.csv"
        write_accounts(accounts_csv, accounts)
        write_subscriptions(subscriptions_csv, args.rows, accounts, args.seed)
        report(args.rows, accounts, accounts_csv, subscriptions_csv)


def report(rows: int, accounts: int, accounts_csv: Path, subscriptions_csv: Path) -> None:
    from django.conf import settings

    from accounts.models import Subscription

    size = subscriptions_csv.stat().st_size / 1e6
    debug = "on: Django logs every query" if settings.DEBUG else "off"
    print(f"{rows:,} subscriptions of {accounts:,} accounts, {size:.1f} MB of CSV, SQLite")
    print(f"  DEBUG {debug}; {os.cpu_count()} CPUs")
    _, account_seconds = timed(lambda: run_import("accounts", accounts_csv))
    print(f"  accounts import (setup)        {account_seconds:7.2f} s")
    parsed, baseline = timed(lambda: csv_baseline(subscriptions_csv))
    assert parsed == rows
    print(f"  baseline: csv.reader only      {baseline:7.2f} s")
    steps = [
        ("dry run (validation only)", True),
        ("import, all rows created", False),
        ("import again, all updated", False),
    ]
    for label, dry_run in steps:
        _, seconds = timed(
            lambda dry_run=dry_run: run_import("subscriptions", subscriptions_csv, dry_run)
        )
        print(f"  {label:<30} {seconds:7.2f} s  ({seconds / baseline:5.1f}x baseline)")
    assert Subscription.objects.count() == rows


if __name__ == "__main__":
    main()
