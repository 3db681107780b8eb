"""Synthetic demo data: B2B accounts, their contacts and two years of subscriptions.

Everything is drawn from one `random.Random(seed)`, so the same seed and the same `today`
give the same rows. Every row's external ID starts with "demo-" so that a later run can find
(and, when asked, delete) exactly the demo rows and nothing else.

The history is built per account as a chain of dated events (upgrade, add-on, downgrade,
churn, come-back) at least 32 days apart, so each change shows in its own month and every
MRR movement of docs/metrics.md appears in the monthly figures.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
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
HISTORY_MONTHS = 24
PROSPECT_SHARE = 0.15
TRIAL_SHARE = 0.3
TRIAL_DAYS = 14
REACTIVATION_RATE = 0.3
REFERENCEABLE_SHARE = 0.2
BIRTHDAY_SHARE = 0.7
UNKNOWN_BIRTH_YEAR_SHARE = 0.2
NO_CONSENT_SHARE = 0.04
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
    Plan("Business", Decimal("89"), 10, 80),
    Plan("Enterprise", Decimal("129"), 40, 250),
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
CANCEL_REASONS = {
    CancelType.VOLUNTARY: (
        "Too expensive",
        "Missing features",
        "Switched to competitor",
        "No longer needed",
    ),
    CancelType.INVOLUNTARY: ("Payment failed", "Card expired"),
    "": ("",),
}
# Monthly odds for a customer, in percent: 4.5 expansion, 1.5 contraction, 2.8 churn.
EVENTS = ("upgrade", "addon", "downgrade", "churn-voluntary", "churn-involuntary", "churn-unknown")
EVENT_WEIGHTS = (3.0, 1.5, 1.5, 1.96, 0.56, 0.28)
EVENTS_PER_DAY = sum(EVENT_WEIGHTS) / 100 / 30.4
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
    names = CompanyNames()
    rows = DemoRows()
    for index in range(count):
        account = Account(
            name="",
            industry=industries[index],
            country=countries[index],
            employees=_employees(rng, bands[index]),
            owner=rng.choice(owners) if owners else None,
            external_id=f"{ACCOUNT_PREFIX}{index + 1:05d}",
        )
        account.name, domain = names.pick(rng, account.country, account.industry)
        _add_account(rng, rows, account, domain, stories[index], months[0], today)
    return rows


def _add_account(
    rng: random.Random,
    rows: DemoRows,
    account: Account,
    domain: str,
    story: Story,
    history_start: dt.date,
    today: dt.date,
) -> None:
    subscriptions = _history(rng, account, story, history_start, today)
    for number, subscription in enumerate(subscriptions, start=1):
        subscription.external_id = f"{SUBSCRIPTION_PREFIX}{_number(account)}-{number:02d}"
    paying_today = any(s.mrr > 0 and s.is_active_on(today) for s in subscriptions)
    account.referenceable = paying_today and rng.random() < REFERENCEABLE_SHARE
    rows.accounts.append(account)
    rows.subscriptions.extend(subscriptions)
    rows.contacts.extend(_contacts(rng, account, domain))


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
    # More customers arrive as the business grows, but every month gets some; the running
    # month only for the days it has had (on the 1st, not a whole month's arrivals at once).
    growth = [(1 + i / 12) * _elapsed_share(month, today) for i, month in enumerate(months)]
    deck = _deck(rng, months, growth, len(others))
    for index, month in zip(others, deck, strict=True):
        stories[index] = Story(_day_in(rng, month, today))
    if others:
        # One customer of the busiest month signs up today instead, so the welcome campaign
        # has someone to greet and every month keeps its arrivals.
        busiest = Counter(deck).most_common(1)[0][0]
        stories[others[deck.index(busiest)]] = Story(today)
    return stories


def _elapsed_share(month: dt.date, today: dt.date) -> float:
    """The share of `month` that has passed by the close of `today` (1 for past months)."""
    length = month_last_day(month).day
    return min(length, (today - month).days + 1) / length


def _deck(rng: random.Random, values: Sequence[T], weights: Sequence[float], k: int) -> list[T]:
    """`k` weighted draws that include every value at least once when k allows it."""
    draws = list(values[:k]) + rng.choices(values, weights, k=max(0, k - len(values)))
    rng.shuffle(draws)
    return draws


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


def _history(
    rng: random.Random, account: Account, story: Story, history_start: dt.date, today: dt.date
) -> list[Subscription]:
    if story.start is None:
        return _prospect_trial(rng, account, history_start, today)
    trial_start = story.start - dt.timedelta(days=TRIAL_DAYS)
    subscriptions = []
    if trial_start >= history_start and rng.random() < TRIAL_SHARE:
        subscriptions.append(_trial(account, trial_start, ends_on=story.start))
    lifeline = Lifeline(rng, account=account, today=today)
    return subscriptions + lifeline.run(story.start, list(story.script))


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


# --- One customer's subscriptions --------------------------------------------------------


class Lifeline:
    """One customer's subscriptions, grown event by event from its first paid day to today."""

    def __init__(self, rng: random.Random, *, account: Account, today: dt.date) -> None:
        self.rng = rng
        self.account = account
        self.today = today
        self.discount = rng.choices(DISCOUNTS, DISCOUNT_WEIGHTS)[0]
        self.subscriptions: list[Subscription] = []
        self.main: Subscription | None = None
        self.addons: list[Subscription] = []

    def run(self, start: dt.date, script: list[str]) -> list[Subscription]:
        """Subscribe on `start`, play `script`, then random events until today."""
        handlers: dict[str, Callable[[dt.date], None]] = {
            "upgrade": self.upgrade,
            "addon": self.add_addon,
            "downgrade": self.downgrade,
        }
        self.subscribe(start)
        day = start
        while (day := day + dt.timedelta(days=self._gap(scripted=bool(script)))) <= self.today:
            event = script.pop(0) if script else self.rng.choices(EVENTS, EVENT_WEIGHTS)[0]
            if event in handlers:
                handlers[event](day)
                continue
            self.churn(day, CHURN_TYPES[event])
            comes_back = script.pop(0) == "return" if script else self._maybe(REACTIVATION_RATE)
            day += dt.timedelta(days=self.rng.randint(60, 300))
            if not comes_back or day > self.today:
                break
            self.subscribe(day)
        return self.subscriptions

    def subscribe(self, day: dt.date) -> None:
        band = employee_band(self.account.employees)
        weights = PLAN_WEIGHTS[BAND_INDEX[band]] if band else PLAN_WEIGHTS_UNKNOWN
        plan = self.rng.choices(PLANS, weights)[0]
        low, high = self._seat_range(plan)
        seats = min(high, int(self.rng.triangular(low, high + 1, low)))
        self._open(day, plan, seats)

    def upgrade(self, day: dt.date) -> None:
        plan, seats = self._main_plan()
        index = PLAN_INDEX[plan.name]
        high = self._seat_range(plan)[1]
        options = []
        if seats < high:
            options.append("seats")
        if index + 1 < len(PLANS):
            options.append("plan")
        if not options:
            self.add_addon(day)
        elif self.rng.choice(options) == "seats":
            self._switch(day, plan, self.rng.randint(seats + 1, min(high, seats * 2)))
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
            self._switch(day, plan, self.rng.randint(max(low, seats // 2), seats - 1))
        elif choice == "plan":
            smaller = PLANS[index - 1]
            self._switch(day, smaller, self._clamp_seats(smaller, seats))
        else:
            addon = self.rng.choice(self.addons)
            self.addons.remove(addon)
            self._end(addon, day, CancelType.VOLUNTARY, "No longer needed")

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
        reason = self.rng.choice(CANCEL_REASONS[cancel_type])
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

    def _gap(self, *, scripted: bool) -> int:
        if scripted:
            return self.rng.randint(MIN_EVENT_GAP_DAYS + 3, 120)
        return max(MIN_EVENT_GAP_DAYS, int(self.rng.expovariate(EVENTS_PER_DAY)))

    def _maybe(self, probability: float) -> bool:
        return self.rng.random() < probability

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
