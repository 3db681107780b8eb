"""Synthetic demo data: B2B accounts, their contacts and four years of subscriptions.

Everything is drawn from one `random.Random(seed)`, so the same seed and the same `today`
give the same rows. Every row's external ID starts with "demo-" so that a later run can find
(and, when asked, delete) exactly the demo rows and nothing else.

The business launches four years before today: a launch year gathers its first customer
base, then three years of steady growth follow (about a fifth more customers and a quarter
more MRR a year), so the dashboard's default comparison, the last 12 months against the 12
before, compares two ordinary years rather than one against a ramp-up. Each customer's
history is a chain of dated events (upgrade, add-on, downgrade, churn, come-back) at least
32 days apart, so each change shows in its own month and every MRR movement of
docs/metrics.md appears in the monthly figures; `Book` steps all customers through the
months together, so that a year's movements stay close to their expectation.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db.models import Count, Sum

from accounts.bands import EMPLOYEE_BANDS, employee_band
from accounts.models import Account, CancelType, Contact, Subscription
from lifecycle.lib.dates import add_months, month_last_day
from lifecycle.staff.roles import MARKETER, ROLES, assign_role

T = TypeVar("T")

DEMO_PREFIX = "demo-"
ACCOUNT_PREFIX = "demo-acc-"
CONTACT_PREFIX = "demo-con-"
SUBSCRIPTION_PREFIX = "demo-sub-"

BATCH_SIZE = 500
HISTORY_MONTHS = 48
LAUNCH_MONTHS = 12  # the first year gathers the customer base the steady years grow from
# Arrivals per month, relative to the first steady month: a launch rush that fades to it,
# then growth by ARRIVAL_GROWTH a year (the base still grows faster: by 20-25 % a year).
LAUNCH_RUSH = 4.5
ARRIVAL_GROWTH = 0.09
PROSPECT_SHARE = 0.15
TRIAL_SHARE = 0.3
TRIAL_DAYS = 14
REACTIVATION_RATE = 0.15
REFERENCEABLE_SHARE = 0.2
BIRTHDAY_SHARE = 0.7
UNKNOWN_BIRTH_YEAR_SHARE = 0.2
NO_CONSENT_SHARE = 0.04
GOLDEN_RATIO = (math.sqrt(5) - 1) / 2
MIN_EVENT_GAP_DAYS = 32  # longer than any month: two changes never share a month
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

OWNERS = (
    ("maria.lopez", "María", "López"),
    ("ivan.petrov", "Ivan", "Petrov"),
    ("emma.jones", "Emma", "Jones"),
    ("david.kim", "David", "Kim"),
)
OWNER_EMAIL_DOMAIN = "lifecycle.example"


# --- Plans and events --------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    name: str
    seat_price: Decimal
    min_seats: int
    max_seats: int


PLANS = (
    Plan("Starter", Decimal("29"), 1, 5),
    Plan("Growth", Decimal("49"), 3, 25),
    Plan("Business", Decimal("89"), 10, 30),
    Plan("Enterprise", Decimal("129"), 20, 40),
)
PLAN_INDEX = {plan.name: index for index, plan in enumerate(PLANS)}
# Plan weights per employee band (EMPLOYEE_BANDS order); the last row is "unknown".
PLAN_WEIGHTS = ((70, 30, 0, 0), (40, 50, 10, 0), (10, 50, 35, 5), (0, 20, 55, 25), (0, 5, 35, 60))
PLAN_WEIGHTS_UNKNOWN = (40, 40, 15, 5)
BAND_INDEX = {key: index for index, (key, _label, _low, _high) in enumerate(EMPLOYEE_BANDS)}
DISCOUNTS = (Decimal("0"), Decimal("0.10"), Decimal("0.15"), Decimal("0.20"))
DISCOUNT_WEIGHTS = (60, 20, 12, 8)
ADDONS = (
    ("Analytics add-on", Decimal("49.00")),
    ("Premium support", Decimal("149.00")),
    ("Extra contacts pack", Decimal("25.00")),
)
TRIAL_PLAN = "Trial"

CHURN_TYPES = {
    "churn-voluntary": CancelType.VOLUNTARY,
    "churn-involuntary": CancelType.INVOLUNTARY,
    "churn-unknown": "",
}
LANGUAGES = ("en", "es", "ru")
# What customers wrote when they cancelled, in the language of the account's primary
# contact: the same reason at the same index in each language.
VOLUNTARY_REASONS = {
    "en": (
        "Too expensive",
        "Missing features",
        "Switched to competitor",
        "No longer needed",
        "Budget cuts",
    ),
    "es": (
        "Demasiado caro",
        "Faltan funcionalidades",
        "Nos cambiamos a la competencia",
        "Ya no lo necesitamos",
        "Recorte de presupuesto",
    ),
    "ru": (
        "Слишком дорого",
        "Не хватает функций",
        "Перешли к конкуренту",
        "Больше не нужно",
        "Сокращение бюджета",
    ),
}
VOLUNTARY_REASON_WEIGHTS = (30, 20, 20, 15, 15)
NO_LONGER_NEEDED = 3  # the index of the reason a dropped add-on carries
# The billing system, not the customer, writes why a payment failed: always in English.
INVOLUNTARY_REASONS = ("Payment failed", "Card expired")
CANCEL_REASONS = {
    CancelType.VOLUNTARY: {language: VOLUNTARY_REASONS[language] for language in LANGUAGES},
    CancelType.INVOLUNTARY: dict.fromkeys(LANGUAGES, INVOLUNTARY_REASONS),
    "": dict.fromkeys(LANGUAGES, ("",)),
}
# Monthly odds for a customer, in percent: 5 of expanding, 2.5 of contracting, and of
# churning less the larger its plan (small customers leave more often), 1.7 on average.
CHANGE_ODDS = {"upgrade": 4.0, "addon": 1.0, "downgrade": 2.5}
CHURN_BY_PLAN = {"Starter": 2.2, "Growth": 1.9, "Business": 1.4, "Enterprise": 0.6}
CHURN_TYPE_SHARES = {"churn-voluntary": 0.7, "churn-involuntary": 0.22, "churn-unknown": 0.08}
CHURN_KINDS, CHURN_KIND_SHARES = tuple(CHURN_TYPE_SHARES), tuple(CHURN_TYPE_SHARES.values())
# Churn first: it wins over a change drawn for the same customer in the same month.
EVENTS = ("churn", *CHANGE_ODDS)
EVENT_ODDS = {
    plan: {"churn": churn / 100, **{event: odds / 100 for event, odds in CHANGE_ODDS.items()}}
    for plan, churn in CHURN_BY_PLAN.items()
}
PLAN_UPGRADE_SHARE = 0.1  # of upgrades; the others add seats
SEAT_CHANGE = 0.35  # at most this share of the seats is added or removed at once
# Scripted stories for a few early customers, so every movement exists even in a tiny demo.
SHOWCASES = (
    ("upgrade",),
    ("addon",),
    ("downgrade",),
    ("churn-voluntary", "stay"),
    ("churn-involuntary", "stay"),
    ("churn-unknown", "stay"),
    ("churn-voluntary", "return"),
    ("churn-involuntary", "return"),
)


# --- Word lists --------------------------------------------------------------------------

INDUSTRIES = {
    "Software": ("Software", "Labs", "Systems", "Cloud", "Data", "Apps", "Digital"),
    "Healthcare": ("Health", "Clinics", "Medical", "Care", "Diagnostics", "Pharma"),
    "Finance": ("Capital", "Finance", "Partners", "Payments", "Insurance", "Advisors"),
    "Retail": ("Retail", "Stores", "Market", "Outfitters", "Goods", "Commerce"),
    "Manufacturing": ("Manufacturing", "Industries", "Works", "Components", "Machinery"),
    "Education": ("Learning", "Academy", "Education", "Schools", "Tutoring", "Institute"),
    "Media": ("Media", "Studios", "Publishing", "Broadcasting", "Creative", "Press"),
    "Logistics": ("Logistics", "Freight", "Shipping", "Transport", "Cargo", "Supply"),
}
NAME_WORDS = (
    "Apex", "Atlas", "Aurora", "Beacon", "Birch", "Bluebird", "Bright", "Canyon", "Cedar",
    "Cobalt", "Copper", "Crescent", "Delta", "Ember", "Evergreen", "Falcon", "Fjord", "Glacier",
    "Granite", "Halcyon", "Harbor", "Harvest", "Horizon", "Indigo", "Iron", "Juniper",
    "Kestrel", "Keystone", "Lakeside", "Lighthouse", "Lumen", "Maple", "Meridian", "Mosaic",
    "Nimbus", "Northwind", "Oak", "Opal", "Orbit", "Pinnacle", "Pioneer", "Prairie", "Quantum",
    "Redwood", "Ridge", "Riverstone", "Sapphire", "Silver", "Sterling", "Summit", "Tandem",
    "Trident", "Vantage", "Vertex", "Westfield", "Willow", "Zenith",
)  # fmt: skip
LOCAL_NAME_WORDS = {
    "es": ("Sierra", "Andina", "Solana", "Costa", "Mirador", "Alba", "Río", "Luna", "Pampa",
           "Cóndor", "Brisa", "Ceiba", "Roble", "Faro"),
    "ru": ("Volga", "Sever", "Baikal", "Neva", "Ural", "Taiga", "Sokol", "Zarya", "Vostok",
           "Altai", "Yenisei", "Kedr"),
}  # fmt: skip
NAME_STYLE = {"ES": "es", "MX": "es", "AR": "es", "RU": "ru"}
LEGAL_SUFFIXES = {
    "US": ("Inc.", "LLC", "Corp."),
    "GB": ("Ltd", "PLC"),
    "DE": ("GmbH", "AG"),
    "ES": ("S.L.", "S.A."),
    "MX": ("S.A. de C.V.",),
    "AR": ("S.A.", "S.R.L."),
    "RU": ("LLC", "JSC"),
    "FR": ("SAS", "SARL"),
    "CA": ("Inc.", "Ltd."),
    "AU": ("Pty Ltd",),
}
COUNTRY_WEIGHTS = {
    "US": 30, "GB": 10, "DE": 8, "ES": 10, "MX": 10, "AR": 6, "RU": 8, "FR": 6, "CA": 6, "AU": 6,
}  # fmt: skip
TIMEZONES = {
    "US": ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
           "America/Phoenix"),
    "GB": ("Europe/London",),
    "DE": ("Europe/Berlin",),
    "ES": ("Europe/Madrid", "Atlantic/Canary"),
    "MX": ("America/Mexico_City", "America/Monterrey", "America/Tijuana", "America/Cancun"),
    "AR": ("America/Argentina/Buenos_Aires", "America/Argentina/Cordoba",
           "America/Argentina/Mendoza"),
    "RU": ("Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Novosibirsk",
           "Asia/Vladivostok"),
    "FR": ("Europe/Paris",),
    "CA": ("America/Toronto", "America/Vancouver", "America/Edmonton", "America/Halifax",
           "America/Winnipeg"),
    "AU": ("Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane", "Australia/Perth",
           "Australia/Adelaide"),
}  # fmt: skip
# Which names (and so which language) the contacts of a company in each country have.
LANGUAGE_MIX = {
    "US": {"en": 75, "es": 20, "ru": 5},
    "GB": {"en": 90, "es": 5, "ru": 5},
    "CA": {"en": 90, "es": 5, "ru": 5},
    "AU": {"en": 90, "es": 5, "ru": 5},
    "DE": {"en": 80, "es": 10, "ru": 10},
    "FR": {"en": 80, "es": 10, "ru": 10},
    "ES": {"es": 85, "en": 10, "ru": 5},
    "MX": {"es": 90, "en": 10},
    "AR": {"es": 90, "en": 5, "ru": 5},
    "RU": {"ru": 90, "en": 10},
}
FIRST_NAMES = {
    "en": ("Emma", "Olivia", "James", "Liam", "Noah", "Ava", "Sophia", "Michael", "Sarah",
           "David", "Emily", "Daniel", "Jessica", "Matthew", "Laura", "Chris", "Rachel",
           "Thomas", "Hannah", "George", "Grace", "Jack", "Chloe", "Ryan", "Megan"),
    "es": ("Ana", "María", "José", "Juan", "Carlos", "Lucía", "Sofía", "Javier", "Pablo",
           "Elena", "Marta", "Diego", "Valentina", "Camila", "Mateo", "Andrés", "Isabel",
           "Alejandro", "Carmen", "Raúl", "Paula", "Sergio", "Martina", "Tomás", "Inés"),
}  # fmt: skip
LAST_NAMES = {
    "en": ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
           "Taylor", "Clark", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green",
           "Baker", "Adams", "Nelson", "Carter", "Mitchell", "Turner", "Parker", "O'Brien"),
    "es": ("García", "Martínez", "López", "González", "Rodríguez", "Fernández", "Sánchez",
           "Pérez", "Gómez", "Díaz", "Romero", "Álvarez", "Torres", "Ruiz", "Ramírez",
           "Flores", "Herrera", "Castro", "Vargas", "Morales", "Ortiz", "Navarro", "Muñoz",
           "Jiménez", "Núñez"),
}  # fmt: skip
# Russian names: (Cyrillic, Latin transliteration, gender); women's surnames end in "a".
RUSSIAN_FIRST_NAMES = (
    ("Иван", "Ivan", "m"), ("Анна", "Anna", "f"), ("Дмитрий", "Dmitry", "m"),
    ("Ольга", "Olga", "f"), ("Сергей", "Sergey", "m"), ("Екатерина", "Ekaterina", "f"),
    ("Алексей", "Alexey", "m"), ("Мария", "Maria", "f"), ("Наталья", "Natalia", "f"),
    ("Андрей", "Andrey", "m"), ("Татьяна", "Tatiana", "f"), ("Михаил", "Mikhail", "m"),
    ("Елена", "Elena", "f"), ("Николай", "Nikolay", "m"), ("Юлия", "Yulia", "f"),
    ("Павел", "Pavel", "m"), ("Ирина", "Irina", "f"), ("Артём", "Artem", "m"),
    ("Светлана", "Svetlana", "f"), ("Владимир", "Vladimir", "m"),
)  # fmt: skip
RUSSIAN_LAST_NAMES = (
    ("Иванов", "Ivanov"), ("Петров", "Petrov"), ("Смирнов", "Smirnov"),
    ("Кузнецов", "Kuznetsov"), ("Попов", "Popov"), ("Соколов", "Sokolov"),
    ("Лебедев", "Lebedev"), ("Козлов", "Kozlov"), ("Новиков", "Novikov"),
    ("Морозов", "Morozov"), ("Волков", "Volkov"), ("Соловьёв", "Solovyov"),
    ("Васильев", "Vasiliev"), ("Зайцев", "Zaitsev"), ("Павлов", "Pavlov"),
    ("Семёнов", "Semenov"), ("Виноградов", "Vinogradov"), ("Богданов", "Bogdanov"),
    ("Фёдоров", "Fedorov"), ("Никитин", "Nikitin"), ("Ильин", "Ilyin"),
)  # fmt: skip
BAND_WEIGHTS = (30, 30, 20, 12, 8)
UNKNOWN_EMPLOYEES_SHARE = 0.02
CONTACT_COUNT_WEIGHTS = (25, 30, 22, 13, 10)  # for 1..5 contacts


# --- Public interface --------------------------------------------------------------------


class DemoDataExists(Exception):
    """Demo rows are already in the database; delete them first (`delete_demo`)."""


@dataclass(frozen=True)
class DemoSummary:
    accounts: int
    contacts: int
    subscriptions: int
    customers_today: int
    mrr_today: Decimal

    def __str__(self) -> str:
        return (
            f"{self.accounts} accounts, {self.contacts} contacts, "
            f"{self.subscriptions} subscriptions; {self.customers_today} customers today, "
            f"MRR today {self.mrr_today:,.2f}"
        )


def generate_crm_demo(
    *, accounts: int, seed: int, today: dt.date
) -> tuple[random.Random, DemoRows]:
    """Create `accounts` demo accounts with history up to `today` (call it in a transaction:
    lifecycle.ops.demo adds the layers above). Returns the random stream, to go on with."""
    if accounts < 0:
        raise ValueError("The number of accounts cannot be negative.")
    if demo_exists():
        raise DemoDataExists("Demo data already exists (external IDs starting with demo-).")
    rng = random.Random(seed)
    rows = _build(rng, count=accounts, today=today, owners=ensure_owners())
    _insert(rows)
    return rng, rows


def demo_exists() -> bool:
    return any(queryset.exists() for queryset in _demo_querysets())


def delete_crm_demo() -> int:
    """Delete every demo CRM row (and whatever hangs off a demo account); return rows deleted."""
    return sum(queryset.delete()[0] for queryset in _demo_querysets())


def demo_summary(*, today: dt.date) -> DemoSummary:
    paying = Subscription.objects.active_on(today).filter(
        account__external_id__startswith=ACCOUNT_PREFIX, mrr__gt=0
    )
    today_totals = paying.aggregate(
        customers=Count("account", distinct=True), mrr=Sum("mrr", default=ZERO)
    )
    return DemoSummary(
        accounts=Account.objects.filter(external_id__startswith=ACCOUNT_PREFIX).count(),
        contacts=Contact.objects.filter(external_id__startswith=CONTACT_PREFIX).count(),
        subscriptions=Subscription.objects.filter(
            external_id__startswith=SUBSCRIPTION_PREFIX
        ).count(),
        customers_today=today_totals["customers"],
        mrr_today=today_totals["mrr"],
    )


def ensure_owners() -> list[Any]:
    """The four demo account owners, created on first use as Marketers with no password."""
    user_model = get_user_model()
    owners = []
    for username, first_name, last_name in OWNERS:
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@{OWNER_EMAIL_DOMAIN}",
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        # Leave alone a role someone gave the user on purpose.
        if created or not user.groups.filter(name__in=ROLES).exists():
            assign_role(user, MARKETER)
        owners.append(user)
    return owners


def _demo_querysets() -> list[Any]:
    # Children first, so deleting the accounts has nothing left to cascade over.
    return [
        Subscription.objects.filter(external_id__startswith=SUBSCRIPTION_PREFIX),
        Contact.objects.filter(external_id__startswith=CONTACT_PREFIX),
        Account.objects.filter(external_id__startswith=ACCOUNT_PREFIX),
    ]


# --- Building rows in memory -------------------------------------------------------------


@dataclass
class DemoRows:
    accounts: list[Account] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)


@dataclass(frozen=True)
class Story:
    """How an account's history begins: never (a prospect) or on `start`, then `script`."""

    start: dt.date | None = None
    script: tuple[str, ...] = ()


def _insert(rows: DemoRows) -> None:
    # Accounts get their primary keys back (RETURNING), which the children then pick up.
    Account.objects.bulk_create(rows.accounts, batch_size=BATCH_SIZE)
    Contact.objects.bulk_create(rows.contacts, batch_size=BATCH_SIZE)
    Subscription.objects.bulk_create(rows.subscriptions, batch_size=BATCH_SIZE)


def _build(rng: random.Random, *, count: int, today: dt.date, owners: list[Any]) -> DemoRows:
    months = history_months(today)
    stories = _stories(rng, count=count, months=months, today=today)
    industries = _deck(rng, list(INDUSTRIES), [1] * len(INDUSTRIES), count)
    countries = _deck(rng, list(COUNTRY_WEIGHTS), list(COUNTRY_WEIGHTS.values()), count)
    bands = _deck(rng, list(range(len(EMPLOYEE_BANDS))), list(BAND_WEIGHTS), count)
    bands = _spread_by_arrival(rng, stories, bands)
    plan_quantiles = _even_quantiles(rng, stories)
    names = CompanyNames()
    rows = DemoRows()
    book = Book(rng, today=today)
    histories = []
    for index, story in enumerate(stories):
        account = Account(
            name="",
            industry=industries[index],
            country=countries[index],
            employees=_employees(rng, bands[index]),
            owner=rng.choice(owners) if owners else None,
            external_id=f"{ACCOUNT_PREFIX}{index + 1:05d}",
        )
        account.name, domain = names.pick(rng, account.country, account.industry)
        contacts = _contacts(rng, account, domain)
        rows.accounts.append(account)
        rows.contacts.extend(contacts)
        lifeline = None
        if story.start is not None:
            # The primary contact wrote the cancellation reasons, in their own language.
            language = contacts[0].language
            lifeline = Lifeline(rng, account=account, today=today, language=language)
            book.add(lifeline, story, plan_quantiles[index])
        histories.append((_trials(rng, account, story, months[0], today), lifeline))
    book.run(months)
    for account, (trials, lifeline) in zip(rows.accounts, histories, strict=True):
        _add_subscriptions(
            rng, rows, account, trials + (lifeline.subscriptions if lifeline else []), today
        )
    return rows


def _add_subscriptions(
    rng: random.Random,
    rows: DemoRows,
    account: Account,
    subscriptions: list[Subscription],
    today: dt.date,
) -> None:
    for number, subscription in enumerate(subscriptions, start=1):
        subscription.external_id = f"{SUBSCRIPTION_PREFIX}{_number(account)}-{number:02d}"
    paying_today = any(s.mrr > 0 and s.is_active_on(today) for s in subscriptions)
    account.referenceable = paying_today and rng.random() < REFERENCEABLE_SHARE
    rows.subscriptions.extend(subscriptions)


def _number(account: Account) -> str:
    return (account.external_id or "").removeprefix(ACCOUNT_PREFIX)


def history_months(today: dt.date) -> list[dt.date]:
    """First days of the HISTORY_MONTHS months before today's month, and of today's month."""
    return [add_months(today, offset) for offset in range(-HISTORY_MONTHS, 1)]


def _stories(
    rng: random.Random, *, count: int, months: list[dt.date], today: dt.date
) -> list[Story]:
    prospects = set(rng.sample(range(count), round(count * PROSPECT_SHARE)))
    customers = [index for index in range(count) if index not in prospects]
    rng.shuffle(customers)
    showcased, others = customers[: len(SHOWCASES)], customers[len(SHOWCASES) :]
    stories = [Story()] * count
    for index, script in zip(showcased, SHOWCASES, strict=False):
        stories[index] = Story(_day_in(rng, rng.choice(months[:3]), today), script)
    # Every month gets some arrivals, the running month only for the days it has had (on
    # the 1st, not a whole month's arrivals at once).
    weights = [_arrival_weight(i) * _elapsed_share(m, today) for i, m in enumerate(months)]
    deck = _deck(rng, months, weights, len(others), even=True)
    for index, month in zip(others, deck, strict=True):
        stories[index] = Story(_day_in(rng, month, today))
    if others:
        # One customer of the busiest month signs up today instead, so the welcome campaign
        # has someone to greet and every month keeps its arrivals.
        busiest = Counter(deck).most_common(1)[0][0]
        stories[others[deck.index(busiest)]] = Story(today)
    return stories


def _arrival_weight(index: int) -> float:
    """Arrivals in month `index` of the history relative to the first steady month: the
    launch rush fading to it, then growth by ARRIVAL_GROWTH a year."""
    if index < LAUNCH_MONTHS:
        return 1 + (LAUNCH_RUSH - 1) * (LAUNCH_MONTHS - index) / LAUNCH_MONTHS
    return (1 + ARRIVAL_GROWTH) ** ((index - LAUNCH_MONTHS) / 12)


def _elapsed_share(month: dt.date, today: dt.date) -> float:
    """The share of `month` that has passed by the close of `today` (1 for past months)."""
    length = month_last_day(month).day
    return min(length, (today - month).days + 1) / length


def _deck(
    rng: random.Random,
    values: Sequence[T],
    weights: Sequence[float],
    k: int,
    *,
    even: bool = False,
) -> list[T]:
    """`k` weighted draws that include every value at least once when k allows it; `even`
    draws deal each value its share of the rest to within one (systematic sampling)."""
    rest = max(0, k - len(values))
    if even:
        ends, step = list(itertools.accumulate(weights)), sum(weights) / max(rest, 1)
        start = rng.random() * step
        last = len(values) - 1  # a rounding error cannot step past the last value
        extra = [values[min(bisect.bisect(ends, start + i * step), last)] for i in range(rest)]
    else:
        extra = rng.choices(values, weights, k=rest)
    draws = list(values[:k]) + extra
    rng.shuffle(draws)
    return draws


def _spread_by_arrival(rng: random.Random, stories: list[Story], values: list[T]) -> list[T]:
    """`values` (one per story) dealt in the order of the stories' first paid days so that
    each value recurs at even intervals: every stretch of the history gets its share of
    large and small accounts, as in a steady business (a plain shuffle can bunch the few
    large ones into one year and make that year's revenue jump)."""
    counts = Counter(values)
    phase = {value: rng.random() for value in sorted(counts)}
    seen: Counter[T] = Counter()
    keyed = []
    for value in values:
        keyed.append(((seen[value] + phase[value]) / counts[value], value))
        seen[value] += 1
    dealt = [value for _key, value in sorted(keyed)]
    spread = list(values)
    for value, index in zip(dealt, _by_arrival(stories), strict=True):
        spread[index] = value
    return spread


def _even_quantiles(rng: random.Random, stories: list[Story]) -> list[float]:
    """A number in [0, 1) per story, evenly spread over every stretch of arrivals (a golden
    ratio sequence in the order of first paid days), to pick the first plan with: each
    year's new customers then take the plans in their expected shares."""
    quantiles = [0.0] * len(stories)
    phase = rng.random()
    for position, index in enumerate(_by_arrival(stories)):
        quantiles[index] = (phase + position * GOLDEN_RATIO) % 1
    return quantiles


def _by_arrival(stories: list[Story]) -> list[int]:
    """The stories' indexes by first paid day, prospects last."""
    return sorted(range(len(stories)), key=lambda i: (stories[i].start or dt.date.max, i))


def _pick(values: Sequence[T], weights: Sequence[float], quantile: float) -> T:
    """The value at `quantile` of the weighted values, as `random.choices` picks one."""
    point = quantile * sum(weights)
    return values[min(bisect.bisect(list(itertools.accumulate(weights)), point), len(values) - 1)]


def _day_in(rng: random.Random, month: dt.date, today: dt.date) -> dt.date:
    last = month_last_day(month)
    return month + dt.timedelta(days=rng.randint(0, (min(last, today) - month).days))


def _employees(rng: random.Random, band: int) -> int | None:
    if rng.random() < UNKNOWN_EMPLOYEES_SHARE:
        return None
    _key, _label, low, high = EMPLOYEE_BANDS[band]
    if high is None:  # open-ended: spread 1,001 to ~20,000 evenly on a log scale
        return int(low * 20 ** rng.random())
    return rng.randint(low, high)


def _trials(
    rng: random.Random, account: Account, story: Story, history_start: dt.date, today: dt.date
) -> list[Subscription]:
    """A prospect's free trial, or the one a customer may have taken before paying."""
    if story.start is None:
        return _prospect_trial(rng, account, history_start, today)
    trial_start = story.start - dt.timedelta(days=TRIAL_DAYS)
    if trial_start >= history_start and rng.random() < TRIAL_SHARE:
        return [_trial(account, trial_start, ends_on=story.start)]
    return []


def _prospect_trial(
    rng: random.Random, account: Account, history_start: dt.date, today: dt.date
) -> list[Subscription]:
    if rng.random() >= TRIAL_SHARE:
        return []
    start = history_start + dt.timedelta(days=rng.randint(0, (today - history_start).days))
    return [_trial(account, start, ends_on=start + dt.timedelta(days=TRIAL_DAYS))]


def _trial(account: Account, start: dt.date, *, ends_on: dt.date) -> Subscription:
    # A free trial pays nothing, so it never makes the account a customer (docs/metrics.md).
    return Subscription(
        account=account, plan=TRIAL_PLAN, mrr=ZERO, started_on=start, ended_on=ends_on
    )


# --- The whole book, month by month ------------------------------------------------------


class Book:
    """Every customer's lifeline, stepped month by month through the history.

    Who has an event in a month is drawn with low-discrepancy sampling rather than a die
    per customer: for each event, the customers who may change line up largest first, each
    taking up a length of its monthly odds; one point per unit of length (carried over from
    month to month) says how many have the event, and each lands at the next place of a
    golden ratio sequence along the line. Each customer keeps its odds, but a year's events
    follow their expectation in number and, as far as a few hundred accounts allow, in
    size. With a die per customer, the default 300 accounts (MRR from about 25 to over
    5,000 each) made a year's churned or expansion MRR swing by more than half
    against the year before, which reads as a broken dashboard."""

    def __init__(self, rng: random.Random, *, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.lifelines: list[Lifeline] = []
        self.arrivals: dict[dt.date, list[tuple[Lifeline, Story, float]]] = defaultdict(list)
        self.returns: dict[dt.date, list[Lifeline]] = defaultdict(list)
        self.points = {event: rng.random() for event in EVENTS}
        self.places = {event: rng.random() for event in EVENTS}

    def add(self, lifeline: Lifeline, story: Story, plan_quantile: float) -> None:
        assert story.start is not None, "prospects have no lifeline"
        self.arrivals[add_months(story.start, 0)].append((lifeline, story, plan_quantile))
        self.lifelines.append(lifeline)

    def run(self, months: list[dt.date]) -> None:
        for month in months:
            for lifeline, story, plan_quantile in self.arrivals[month]:
                assert story.start is not None
                lifeline.start(story.start, list(story.script), plan_quantile)
                self._schedule_return(lifeline)
            for lifeline in self.returns[month]:
                lifeline.come_back()
            self._events(month, min(month_last_day(month), self.today))

    def _events(self, month: dt.date, last: dt.date) -> None:
        ready = [lifeline for lifeline in self.lifelines if lifeline.may_change(month, last)]
        self.rng.shuffle(ready)  # the order of equal MRRs
        ready.sort(key=Lifeline.mrr, reverse=True)
        plans = [lifeline.plan for lifeline in ready]  # as the month begins
        share = _elapsed_share(month, self.today)
        changed = [False] * len(ready)
        for event in EVENTS:
            # Nobody is drawn for a change they cannot make (no smaller plan, no add-on left).
            odds = [
                EVENT_ODDS[plan][event] * share if lifeline.can(event) else 0.0
                for lifeline, plan in zip(ready, plans, strict=True)
            ]
            for drawn in self._sample(event, odds):
                # One change a month: a customer drawn twice passes it to the next in line.
                free = (i % len(ready) for i in range(drawn, drawn + len(ready)))
                index = next((i for i in free if odds[i] and not changed[i]), None)
                if index is not None:
                    changed[index] = True
                    self._happen(event, ready[index], month, last)

    def _sample(self, event: str, odds: list[float]) -> list[int]:
        """The places in a line of customers with these `odds` that this month's points of
        the `event` stream pick."""
        ends = list(itertools.accumulate(odds))
        length = ends[-1] if ends else 0.0
        picked = []
        point = self.points[event]
        while point < length:
            place = self.places[event] = (self.places[event] + GOLDEN_RATIO) % 1
            picked.append(min(bisect.bisect(ends, place * length), len(odds) - 1))
            point += 1
        self.points[event] = point - length
        return picked

    def _happen(self, event: str, lifeline: Lifeline, month: dt.date, last: dt.date) -> None:
        first = lifeline.first_change_day(month)
        day = first + dt.timedelta(days=self.rng.randint(0, (last - first).days))
        if event != "churn":
            lifeline.apply(event, day)
            return
        lifeline.apply(self.rng.choices(CHURN_KINDS, CHURN_KIND_SHARES)[0], day)
        if lifeline.maybe(REACTIVATION_RATE):
            lifeline.returns_on = day + dt.timedelta(days=self.rng.randint(60, 300))
            self._schedule_return(lifeline)

    def _schedule_return(self, lifeline: Lifeline) -> None:
        if lifeline.returns_on is not None and lifeline.returns_on <= self.today:
            self.returns[add_months(lifeline.returns_on, 0)].append(lifeline)


# --- One customer's subscriptions --------------------------------------------------------


class Lifeline:
    """One customer's subscriptions, grown event by event from its first paid day to today."""

    def __init__(
        self, rng: random.Random, *, account: Account, today: dt.date, language: str
    ) -> None:
        self.rng = rng
        self.account = account
        self.today = today
        self.language = language if language in LANGUAGES else "en"
        self.discount = rng.choices(DISCOUNTS, DISCOUNT_WEIGHTS)[0]
        self.subscriptions: list[Subscription] = []
        self.main: Subscription | None = None
        self.addons: list[Subscription] = []
        self.last_change = dt.date.min
        self.returns_on: dt.date | None = None

    @property
    def plan(self) -> str:
        return self._require_main().plan

    def mrr(self) -> Decimal:
        return self._require_main().mrr + sum((addon.mrr for addon in self.addons), ZERO)

    def start(self, day: dt.date, script: list[str], plan_quantile: float) -> None:
        """Subscribe on `day` to the plan at `plan_quantile` of the account's plan weights,
        then play the scripted story, if any, event by event."""
        self.subscribe(day, plan_quantile)
        while script:
            day += dt.timedelta(days=self.rng.randint(MIN_EVENT_GAP_DAYS + 3, 120))
            if day > self.today:
                return
            event = script.pop(0)
            self.apply(event, day)
            if event in CHURN_TYPES:
                if script.pop(0) == "return":
                    self.returns_on = day + dt.timedelta(days=self.rng.randint(60, 300))
                return

    def come_back(self) -> None:
        assert self.returns_on is not None, "only a churned customer with a return date"
        day, self.returns_on = self.returns_on, None
        self.subscribe(day)

    def may_change(self, month: dt.date, last: dt.date) -> bool:
        """Whether this customer may change between the 1st of `month` and `last`."""
        return self.main is not None and self.first_change_day(month) <= last

    def first_change_day(self, month: dt.date) -> dt.date:
        """The first day in or after `month` this customer may change: MIN_EVENT_GAP_DAYS
        after its last change."""
        return max(month, self.last_change + dt.timedelta(days=MIN_EVENT_GAP_DAYS))

    def can(self, event: str) -> bool:
        """Whether the customer has room for `event`: a plan or seats to go up or down
        to, or an add-on to take or drop."""
        if self.main is None:  # churned earlier this month
            return False
        if event == "churn":
            return True
        plan, seats = self._main_plan()
        low, high = self._seat_range(plan)
        index = PLAN_INDEX[plan.name]
        addon_left = len(self.addons) < len(ADDONS)
        if event == "upgrade":
            return seats < high or index + 1 < len(PLANS) or addon_left
        if event == "addon":
            return addon_left
        return seats > low or index > 0 or bool(self.addons)

    def apply(self, event: str, day: dt.date) -> None:
        if event in CHURN_TYPES:
            self.churn(day, CHURN_TYPES[event])
        elif event == "upgrade":
            self.upgrade(day)
        elif event == "addon":
            self.add_addon(day)
        else:
            self.downgrade(day)
        self.last_change = day

    def subscribe(self, day: dt.date, plan_quantile: float | None = None) -> None:
        band = employee_band(self.account.employees)
        weights = PLAN_WEIGHTS[BAND_INDEX[band]] if band else PLAN_WEIGHTS_UNKNOWN
        quantile = self.rng.random() if plan_quantile is None else plan_quantile
        plan = _pick(PLANS, weights, quantile)
        low, high = self._seat_range(plan)
        seats = min(high, int(self.rng.triangular(low, high + 1, low)))
        self._open(day, plan, seats)
        self.last_change = day

    def upgrade(self, day: dt.date) -> None:
        plan, seats = self._main_plan()
        index = PLAN_INDEX[plan.name]
        high = self._seat_range(plan)[1]
        more_seats, bigger_plan = seats < high, index + 1 < len(PLANS)
        if not (more_seats or bigger_plan):
            self.add_addon(day)
        elif more_seats and not (bigger_plan and self.maybe(PLAN_UPGRADE_SHARE)):
            step = self.rng.randint(1, self._seat_step(seats))
            self._switch(day, plan, min(high, seats + step))
        else:
            bigger = PLANS[index + 1]
            self._switch(day, bigger, self._clamp_seats(bigger, seats))

    def downgrade(self, day: dt.date) -> None:
        plan, seats = self._main_plan()
        index = PLAN_INDEX[plan.name]
        low = self._seat_range(plan)[0]
        options = [
            option
            for option, possible in (
                ("seats", seats > low),
                ("plan", index > 0),
                ("addon", bool(self.addons)),
            )
            if possible
        ]
        if not options:
            return
        choice = self.rng.choice(options)
        if choice == "seats":
            step = self.rng.randint(1, self._seat_step(seats))
            self._switch(day, plan, max(low, seats - step))
        elif choice == "plan":
            smaller = PLANS[index - 1]
            self._switch(day, smaller, self._clamp_seats(smaller, seats))
        else:
            addon = self.rng.choice(self.addons)
            self.addons.remove(addon)
            reason = VOLUNTARY_REASONS[self.language][NO_LONGER_NEEDED]
            self._end(addon, day, CancelType.VOLUNTARY, reason)

    def add_addon(self, day: dt.date) -> None:
        taken = {addon.plan for addon in self.addons}
        available = [(name, mrr) for name, mrr in ADDONS if name not in taken]
        if not available:
            return
        name, mrr = self.rng.choice(available)
        addon = Subscription(account=self.account, plan=name, mrr=mrr, started_on=day)
        self.subscriptions.append(addon)
        self.addons.append(addon)

    def churn(self, day: dt.date, cancel_type: str) -> None:
        reasons = CANCEL_REASONS[cancel_type][self.language]
        weights = VOLUNTARY_REASON_WEIGHTS if cancel_type == CancelType.VOLUNTARY else None
        reason = self.rng.choices(reasons, weights)[0]
        # Add-ons end with the main plan and for the same reason.
        for subscription in [self._require_main(), *self.addons]:
            self._end(subscription, day, cancel_type, reason)
        self.main, self.addons = None, []

    def _open(self, day: dt.date, plan: Plan, seats: int) -> None:
        mrr = (plan.seat_price * seats * (1 - self.discount)).quantize(CENT, ROUND_HALF_UP)
        self.main = Subscription(
            account=self.account, plan=plan.name, mrr=mrr, quantity=seats, started_on=day
        )
        self.subscriptions.append(self.main)

    def _switch(self, day: dt.date, plan: Plan, seats: int) -> None:
        # A plan change ends one subscription and starts the next on the same day.
        self._end(self._require_main(), day)
        self._open(day, plan, seats)

    @staticmethod
    def _end(
        subscription: Subscription, day: dt.date, cancel_type: str = "", reason: str = ""
    ) -> None:
        subscription.ended_on = day
        subscription.cancel_type = cancel_type
        subscription.cancel_reason = reason

    def maybe(self, probability: float) -> bool:
        return self.rng.random() < probability

    @staticmethod
    def _seat_step(seats: int) -> int:
        return max(1, round(seats * SEAT_CHANGE))

    def _require_main(self) -> Subscription:
        assert self.main is not None, "events only happen while subscribed"
        return self.main

    def _main_plan(self) -> tuple[Plan, int]:
        main = self._require_main()
        return PLANS[PLAN_INDEX[main.plan]], main.quantity

    def _seat_range(self, plan: Plan) -> tuple[int, int]:
        # No more seats than people, except that a plan's minimum is always bought.
        employees = self.account.employees or plan.max_seats
        return plan.min_seats, max(plan.min_seats, min(plan.max_seats, employees))

    def _clamp_seats(self, plan: Plan, seats: int) -> int:
        low, high = self._seat_range(plan)
        return max(low, min(high, seats))


# --- Names, contacts ---------------------------------------------------------------------


class CompanyNames:
    """Plausible company names, each with its own web domain under .example."""

    def __init__(self) -> None:
        self.used_domains: set[str] = set()

    def pick(self, rng: random.Random, country: str, industry: str) -> tuple[str, str]:
        for attempt in range(12):
            words = [self._word(rng, country)]
            if attempt >= 3:  # single-word names run out first in a big demo
                words.append(rng.choice(NAME_WORDS))
            words.append(rng.choice(INDUSTRIES[industry]))
            if attempt == 11:
                words.append(str(len(self.used_domains)))
            base = " ".join(words)
            domain = f"{ascii_slug(base, separator='')}.example"
            if domain not in self.used_domains:
                self.used_domains.add(domain)
                return self._with_suffix(rng, base, country), domain
        raise AssertionError("unreachable: the numbered name is always new")

    @staticmethod
    def _word(rng: random.Random, country: str) -> str:
        local = LOCAL_NAME_WORDS.get(NAME_STYLE.get(country, ""))
        if local and rng.random() < 0.5:
            return rng.choice(local)
        return rng.choice(NAME_WORDS)

    @staticmethod
    def _with_suffix(rng: random.Random, base: str, country: str) -> str:
        if rng.random() < 0.6:
            return f"{base} {rng.choice(LEGAL_SUFFIXES[country])}"
        return base


def ascii_slug(text: str, *, separator: str = "") -> str:
    """ "Núñez O'Brien" -> "nunez" + separator + "obrien": lower-case ASCII letters and digits."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = ["".join(ch for ch in word if ch.isalnum()) for word in plain.split()]
    return separator.join(word for word in words if word)


def _contacts(rng: random.Random, account: Account, domain: str) -> list[Contact]:
    count = rng.choices(range(1, 6), CONTACT_COUNT_WEIGHTS)[0]
    count = min(count, account.employees or count)
    emails: set[str] = set()
    contacts = []
    for number in range(1, count + 1):
        contact = _contact(rng, account, domain, emails)
        contact.is_primary = number == 1
        contact.external_id = f"{CONTACT_PREFIX}{_number(account)}-{number}"
        contacts.append(contact)
    return contacts


def _contact(rng: random.Random, account: Account, domain: str, emails: set[str]) -> Contact:
    mix = LANGUAGE_MIX[account.country]
    language = rng.choices(list(mix), list(mix.values()))[0]
    first, last, local_part = _person(rng, language, account.country)
    year, month, day = _birthday(rng)
    return Contact(
        account=account,
        first_name=first,
        last_name=last,
        email=_unique_email(local_part, domain, emails),
        birth_year=year,
        birth_month=month,
        birth_day=day,
        language=language,
        timezone=rng.choice(TIMEZONES[account.country]),
        email_consent=rng.random() >= NO_CONSENT_SHARE,
    )


def _person(rng: random.Random, language: str, country: str) -> tuple[str, str, str]:
    """First name, last name and the e-mail local part (ascii "first.last")."""
    if language == "ru":
        first_cyr, first_lat, gender = rng.choice(RUSSIAN_FIRST_NAMES)
        last_cyr, last_lat = rng.choice(RUSSIAN_LAST_NAMES)
        if gender == "f":
            last_cyr, last_lat = f"{last_cyr}а", f"{last_lat}a"
        local_part = f"{first_lat}.{last_lat}".lower()
        # Written in Cyrillic at home, transliterated abroad.
        if country == "RU":
            return first_cyr, last_cyr, local_part
        return first_lat, last_lat, local_part
    first, last = rng.choice(FIRST_NAMES[language]), rng.choice(LAST_NAMES[language])
    local_part = f"{ascii_slug(first)}.{ascii_slug(last)}"
    if language == "es" and rng.random() < 0.25:  # both surnames, as on a Spanish ID card
        last = f"{last} {rng.choice(LAST_NAMES['es'])}"
    return first, last, local_part


def _unique_email(local_part: str, domain: str, taken: set[str]) -> str:
    first, _dot, last = local_part.partition(".")
    candidates = [local_part, f"{first[:1]}{last}"]
    candidates += [f"{local_part}{n}" for n in range(2, len(taken) + 3)]
    for candidate in candidates:
        email = f"{candidate}@{domain}"
        if email not in taken:
            taken.add(email)
            return email
    raise AssertionError("unreachable: there are more candidates than taken addresses")


def _birthday(rng: random.Random) -> tuple[int | None, int | None, int | None]:
    if rng.random() >= BIRTHDAY_SHARE:
        return None, None, None
    year = None if rng.random() < UNKNOWN_BIRTH_YEAR_SHARE else rng.randint(1962, 2002)
    month = rng.randint(1, 12)
    # Without a year, 29 February is a possible birthday (the model checks it against 2000).
    day = rng.randint(1, month_last_day(dt.date(year or 2000, month, 1)).day)
    return year, month, day
