"""Time the metric queries and dashboards on PostgreSQL at 100,000 accounts and 300,000
subscriptions.

    .venv/bin/python bench/metrics_scale.py [--accounts 100000] [--subscriptions 300000]
        [--database-url postgres://postgres@127.0.0.1:5432/lifecycle_bench] [--keep-data]

Creates the database if missing, migrates it, replaces its accounts and subscriptions with
generated ones (COPY; `--keep-data` keeps what is there), then times `period_metrics` for
the last 12 months, `metric_series` for 12, 36 and 120 months, the headline's two periods,
the churn breakdowns and the three dashboard pages: the median of five runs after a
warm-up, in seconds and as a multiple of a baseline measured in the same run: a plain count
and sum over every subscription. Writes the EXPLAIN ANALYZE of the one-year query under
bench/results/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/lifecycle_bench"
STATIC_BACKEND = "django.contrib.staticfiles.storage.StaticFilesStorage"

HISTORY_DAYS = 3 * 365
REPLACE_SHARE = 0.3  # of later subscriptions: an upgrade or downgrade ending the main one
DOWNGRADE_SHARE = 0.25  # of those replacements
CHURN_SHARE = 0.12  # of accounts: every open subscription ends on one day
PLANS = (("Starter", 29, 1, 5), ("Growth", 49, 3, 25), ("Business", 89, 10, 80))
ADDONS = (("Analytics add-on", "49.00"), ("Premium support", "149.00"), ("Extra pack", "25.00"))
CANCEL_TYPES = ("voluntary",) * 7 + ("involuntary",) * 2 + ("",)
INDUSTRIES = ("Software", "Healthcare", "Finance", "Retail", "Education", "Logistics")
COUNTRIES = ("US", "GB", "DE", "ES", "MX", "FR")

ACCOUNT_COLUMNS = "id, name, industry, employees, country, referenceable, external_id, "
ACCOUNT_COLUMNS += "created_at, updated_at"
SUBSCRIPTION_COLUMNS = "id, account_id, plan, mrr, quantity, started_on, ended_on, "
SUBSCRIPTION_COLUMNS += "cancel_type, cancel_reason, external_id, created_at, updated_at"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--subscriptions", type=int, default=300_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=5, help="timed runs after a warm-up")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--explain-lines", type=int, default=40)
    parser.add_argument(
        "--keep-data", action="store_true", help="time the data already loaded; load nothing"
    )
    args = parser.parse_args()
    if args.subscriptions < args.accounts:
        parser.error("every account gets at least one subscription")
    return args


def database_name(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("This benchmark loads data with PostgreSQL's COPY: give a postgres:// URL.")
    name = parts.path.lstrip("/")
    # The load empties the CRM tables: never let a typo point it at a real database.
    if "bench" not in name:
        sys.exit(f"Refusing to empty {name!r}: the database name must contain 'bench'.")
    return name


def ensure_database(url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, dbname="postgres", autocommit=True) as maintenance:
        found = maintenance.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if found.fetchone() is None:
            maintenance.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"  created database {name}")


def setup_django(url: str) -> None:
    # Before django.setup(): the settings read DATABASE_URL once, at import.
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifecycle.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


# --- Generated data ----------------------------------------------------------------------


def subscriptions_per_account(rng: random.Random, accounts: int, total: int) -> list[int]:
    """At least one each; the rest spread at random (1 + Poisson-like, mean total/accounts)."""
    counts = [1] * accounts
    for _ in range(total - accounts):
        counts[rng.randrange(accounts)] += 1
    return counts


def main_plan(rng: random.Random) -> tuple[str, int, Decimal]:
    name, price, low, high = rng.choice(PLANS)
    seats = rng.randint(low, high)
    return name, seats, Decimal(price * seats)


def changed_mrr(rng: random.Random, mrr: Decimal) -> Decimal:
    downgrade = rng.random() < DOWNGRADE_SHARE
    factor = rng.uniform(0.5, 0.9) if downgrade else rng.uniform(1.2, 1.8)
    return (mrr * Decimal(factor)).quantize(Decimal("0.01"))


def account_history(
    rng: random.Random, today: int, count: int
) -> Iterator[tuple[str, int, Decimal, int, int | None, str]]:
    """`count` subscriptions of one account as (plan, seats, mrr, start, end, cancel type),
    dates as ordinals: a main plan, then upgrades, downgrades and add-ons on distinct later
    days, and for some accounts a churn that ends everything still open."""
    start = today - rng.randrange(30, HISTORY_DAYS)
    days = sorted(rng.sample(range(start + 1, today + 1), min(count - 1, today - start)))
    plan, seats, mrr = main_plan(rng)
    main = [plan, seats, mrr, start]
    addons: list[tuple[str, int, Decimal, int]] = []
    for day in days:
        if rng.random() < REPLACE_SHARE:
            yield (*main, day, "")
            main = [main[0], main[1], changed_mrr(rng, main[2]), day]
        else:
            name, price = rng.choice(ADDONS)
            addons.append((name, 1, Decimal(price), day))
    open_ones = [tuple(main), *addons]
    last = max([start, *days])
    churn = rng.random() < CHURN_SHARE and last < today
    end = rng.randint(last + 1, today) if churn else None
    kind = rng.choice(CANCEL_TYPES) if churn else ""
    for subscription in open_ones:
        yield (*subscription, end, kind)


def account_rows(count: int, now: dt.datetime) -> Iterator[tuple[object, ...]]:
    for n in range(1, count + 1):
        industry, country = INDUSTRIES[n % len(INDUSTRIES)], COUNTRIES[n % len(COUNTRIES)]
        yield (n, f"Account {n}", industry, n % 900 + 1, country, False, f"bench-acc-{n}", now, now)


def subscription_rows(
    rng: random.Random, counts: list[int], today: dt.date, now: dt.datetime
) -> Iterator[tuple[object, ...]]:
    ordinal, pk = today.toordinal(), 0
    for account, count in enumerate(counts, start=1):
        for plan, seats, mrr, start, end, kind in account_history(rng, ordinal, count):
            pk += 1
            ended_on = dt.date.fromordinal(end) if end else None
            reason = "Too expensive" if kind == "voluntary" else ""
            started_on = dt.date.fromordinal(start)
            row = (pk, account, plan, mrr, seats, started_on, ended_on, kind, reason)
            yield (*row, f"bench-sub-{pk}", now, now)


def load(accounts: int, subscriptions: int, seed: int, today: dt.date) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    rng, now = random.Random(seed), timezone.now()
    counts = subscriptions_per_account(rng, accounts, subscriptions)
    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            # CASCADE empties the contacts, survey and campaign rows that hang off accounts.
            cursor.execute("TRUNCATE accounts_subscription, accounts_account CASCADE")
            copy_rows(cursor, "accounts_account", ACCOUNT_COLUMNS, account_rows(accounts, now))
            rows = subscription_rows(rng, counts, today, now)
            copy_rows(cursor, "accounts_subscription", SUBSCRIPTION_COLUMNS, rows)
            for table in ("accounts_account", "accounts_subscription"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_account, accounts_subscription")


def copy_rows(cursor: object, table: str, columns: str, rows: Iterator[tuple[object, ...]]) -> None:
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
        for row in rows:
            copy.write_row(row)


# --- Timing ------------------------------------------------------------------------------


def median_seconds(action: Callable[[], object], runs: int) -> float:
    action()  # warm-up: caches, plans, imports
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def baseline_query() -> object:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), sum(mrr) FROM accounts_subscription")
        return cursor.fetchone()


def explain_one_year(period: object, lines: int) -> Path:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lifecycle.metrics.queries import period_metrics

    with CaptureQueriesContext(connection) as captured:
        period_metrics(period)  # type: ignore[arg-type]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {captured.captured_queries[-1]['sql']}")
        plan = [row[0] for row in cursor.fetchall()]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / ".gitignore").write_text("*\n")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"metrics-scale-explain-{stamp}.txt"
    more = [f"... ({len(plan) - lines} more lines)"] if len(plan) > lines else []
    path.write_text("\n".join(plan[:lines] + more) + "\n")
    return path


def data_shape() -> str:
    from django.db.models import Count, Q

    from accounts.models import Account, Subscription

    totals = Subscription.objects.aggregate(
        all=Count("pk"), ended=Count("pk", filter=Q(ended_on__isnull=False))
    )
    accounts = Account.objects.count()
    share = totals["ended"] / totals["all"]
    return f"{accounts:,} accounts, {totals['all']:,} subscriptions ({share:.0%} ended)"


def report(args: argparse.Namespace, today: dt.date) -> None:
    from django.conf import settings

    from lifecycle.lib.dates import add_months
    from lifecycle.metrics.churn import BREAKDOWNS, breakdowns
    from lifecycle.metrics.periods import Period, preset_period
    from lifecycle.metrics.queries import Segment, period_metrics, revenue_metrics_of
    from lifecycle.metrics.series import metric_series

    year = preset_period("last-12-months", today)
    three_years = Period(add_months(year.start, -24), year.end)
    ten_years = Period(add_months(year.start, -108), year.end)
    print(f"  {data_shape()}; PostgreSQL")
    print(f"  DEBUG {'on' if settings.DEBUG else 'off'}; {os.cpu_count()} CPUs; ", end="")
    print(f"median of {args.runs} runs after a warm-up; periods end {year.last_day}")
    two_years = [year, year.previous()]
    baseline = median_seconds(baseline_query, args.runs)
    print(f"  {'baseline: count(*), sum(mrr)':<40} {baseline:8.3f} s")
    steps: list[tuple[str, Callable[[], object]]] = [
        ("period_metrics, 12 months", lambda: period_metrics(year)),
        ("metric_series, 12 monthly", lambda: metric_series(year, "month")),
        ("metric_series, 36 monthly", lambda: metric_series(three_years, "month")),
        ("metric_series, 120 monthly", lambda: metric_series(ten_years, "month")),
        ("revenue_metrics_of, year + year before", lambda: revenue_metrics_of(two_years)),
        ("churn breakdowns, all three", lambda: breakdowns(year, Segment(), BREAKDOWNS)),
        *page_steps(),
    ]
    for label, action in steps:
        seconds = median_seconds(action, args.runs)
        print(f"  {label:<40} {seconds:8.3f} s  ({seconds / baseline:6.1f}x baseline)")
    print(f"  EXPLAIN ANALYZE of the one-year query: {explain_one_year(year, args.explain_lines)}")


def page_steps() -> list[tuple[str, Callable[[], object]]]:
    """GET each dashboard (default period: the last 12 months) as a Viewer."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import override_settings

    from lifecycle.staff.roles import VIEWER, assign_role

    user, _created = get_user_model().objects.get_or_create(username="bench-viewer")
    assign_role(user, VIEWER)
    # SERVER_NAME: the test client's default host ("testserver") is not in ALLOWED_HOSTS.
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    # Without DEBUG the manifest storage needs collectstatic; the page costs the same.
    plain = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_BACKEND}}

    def get(path: str) -> Callable[[], object]:
        def request() -> object:
            with override_settings(STORAGES=plain):
                # secure: without DEBUG the settings redirect plain HTTP to HTTPS.
                response = client.get(path, secure=True)
            if response.status_code != 200:
                sys.exit(f"GET {path} answered {response.status_code}")
            return response

        return request

    return [
        (f"GET {path}", get(path)) for path in ("/", "/dashboard/churn/", "/dashboard/cohorts/")
    ]


def main() -> None:
    args = parse_args()
    # whitenoise warns when STATIC_ROOT was never collected; the pages do not need it.
    warnings.filterwarnings("ignore", "No directory at")
    name = database_name(args.database_url)
    print(f"{args.accounts:,} accounts, {args.subscriptions:,} subscriptions into {name}")
    ensure_database(args.database_url, name)
    setup_django(args.database_url)
    from django.utils import timezone

    today = timezone.localdate()
    if not args.keep_data:
        start = time.perf_counter()
        load(args.accounts, args.subscriptions, args.seed, today)
        print(f"  load with COPY + ANALYZE (setup)  {time.perf_counter() - start:8.2f} s")
    report(args, today)


if __name__ == "__main__":
    main()
