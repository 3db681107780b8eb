"""Customer accounts, their contacts and subscriptions.

Customer status is never stored: an account is a customer on day d when the MRR of its
subscriptions active on d is above zero (docs/metrics.md). The QuerySet methods below derive it
in the database so it cannot disagree with revenue.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.bands import EMPLOYEE_BANDS, MRR_BANDS, employee_band_label
from accounts.validation import (
    LANGUAGE_TAG_MAX_LENGTH,
    validate_birthday,
    validate_country_code,
    validate_language_tag,
    validate_plain_multiline_text,
    validate_plain_text,
    validate_subscription_end,
    validate_timezone,
)
from lifecycle.lib.display import person

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)


def active_on_q(day: dt.date | Combinable, prefix: str = "") -> Q:
    """Subscriptions active on `day`: started_on <= day < ended_on (ended_on exclusive).
    `day` may be an expression (F("day"), OuterRef("day_s")); `prefix` reaches the
    subscriptions from another model ("account__subscriptions__")."""
    return Q(**{f"{prefix}started_on__lte": day}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": day})
    )


def account_mrr_on(day: dt.date | Combinable, account: str = "pk") -> Coalesce:
    """MRR(a, day) of the outer query's account, as a subquery: the MRR of its subscriptions
    active on `day` (a date or an OuterRef), zero if none. `account` is the outer field
    holding the account: "pk" over accounts, "account" over subscriptions."""
    total = (
        Subscription.objects.filter(active_on_q(day), account=OuterRef(account))
        .order_by()
        .values("account")
        .annotate(total=Sum("mrr"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=MONEY), ZERO)


def first_customer_day(account: str = "pk") -> Subquery:
    """The first customer day of the outer query's account (`account` as in `account_mrr_on`):
    the earliest start of its subscriptions with MRR above zero. ended_on > started_on is a
    constraint, so a paying subscription is always active on its first day."""
    first = (
        Subscription.objects.filter(account=OuterRef(account), mrr__gt=0)
        .order_by("started_on")
        .values("started_on")[:1]
    )
    return Subquery(first, output_field=models.DateField())


def _employees_within(low: int, high: int | None, field: str) -> Q:
    """Head counts in `field` from `low` to `high` included (None: no upper bound)."""
    upper = Q(**{f"{field}__lte": high}) if high is not None else Q()
    return Q(**{f"{field}__gte": low}) & upper


def employee_band_case(field: str = "employees") -> Case:
    """`accounts.bands.employee_band` in the database: the band key of the head count in
    `field` ("account__employees" over subscriptions), "" when unknown."""
    whens = [
        When(_employees_within(low, high, field), then=Value(key))
        for key, _label, low, high in EMPLOYEE_BANDS
    ]
    return Case(*whens, default=Value(""), output_field=models.CharField())


class AccountStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Customer")
    CHURNED = "churned", _("Churned")


class AccountQuerySet(models.QuerySet):
    def with_mrr_on(self, day: dt.date, name: str = "mrr") -> AccountQuerySet:
        """Annotate MRR(a, day): the sum of MRR of subscriptions active on `day`."""
        return self.annotate(**{name: account_mrr_on(day)})

    def with_first_customer_day(self) -> AccountQuerySet:
        return self.annotate(first_customer_day=first_customer_day())

    def with_status(self, day: dt.date | None = None) -> AccountQuerySet:
        """Annotate `mrr`, `first_customer_day` and the derived `status` on `day` (today)."""
        day = day or timezone.localdate()
        return (
            self.with_mrr_on(day)
            .with_first_customer_day()
            .annotate(
                status=Case(
                    When(mrr__gt=0, then=Value(AccountStatus.CUSTOMER)),
                    When(first_customer_day__lte=day, then=Value(AccountStatus.CHURNED)),
                    default=Value(AccountStatus.PROSPECT),
                )
            )
        )

    def customers_on(self, day: dt.date) -> AccountQuerySet:
        return self.with_mrr_on(day).filter(mrr__gt=0)

    def with_employee_band(self) -> AccountQuerySet:
        return self.annotate(employee_band=employee_band_case())

    def in_mrr_band(self, band: str, field: str = "mrr") -> AccountQuerySet:
        """Accounts whose annotated `field` (with_mrr_on) falls in the MRR band `band`."""
        for key, _label, low, high in MRR_BANDS:
            if key == band:
                within = Q(**{f"{field}__gte": low})
                return self.filter(within if high is None else within & Q(**{f"{field}__lt": high}))
        return self.none()

    def in_employee_band(self, band: str) -> AccountQuerySet:
        for key, _label, low, high in EMPLOYEE_BANDS:
            if key == band:
                return self.filter(_employees_within(low, high, "employees"))
        return self.none()


class Tag(models.Model):
    """A label staff put on accounts ("pilot", "enterprise-plan"), for audiences and lists."""

    name = models.CharField(_("name"), max_length=50, unique=True, validators=[validate_plain_text])

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    name = models.CharField(_("name"), max_length=200, validators=[validate_plain_text])
    industry = models.CharField(
        _("industry"), max_length=100, blank=True, validators=[validate_plain_text]
    )
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    country = models.CharField(
        _("country"), max_length=2, blank=True, validators=[validate_country_code]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_accounts",
    )
    referenceable = models.BooleanField(
        _("referenceable"), default=False, help_text=_("Agreed to act as a reference.")
    )
    external_id = models.CharField(
        _("external ID"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_plain_text],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="accounts")

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        indexes = [models.Index(fields=["industry"]), models.Index(fields=["country"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:detail", args=[self.pk])

    @property
    def employee_band_label(self) -> str:
        """The band of `with_employee_band()`, as the filters name it."""
        return employee_band_label(getattr(self, "employee_band", "") or "")

    @property
    def owner_name(self) -> str:
        return person(self.owner)

    def mrr_history(self, month_ends: list[dt.date]) -> list[Decimal]:
        """MRR at each given day, in one aggregate query."""
        if not month_ends:
            return []
        totals = self.subscriptions.aggregate(
            **{
                f"d{i}": Coalesce(Sum("mrr", filter=active_on_q(day)), ZERO)
                for i, day in enumerate(month_ends)
            }
        )
        return [totals[f"d{i}"] for i in range(len(month_ends))]


class Contact(models.Model):
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="contacts"
    )
    first_name = models.CharField(
        _("first name"), max_length=100, blank=True, validators=[validate_plain_text]
    )
    last_name = models.CharField(
        _("last name"), max_length=100, blank=True, validators=[validate_plain_text]
    )
    email = models.EmailField(_("email"), max_length=254)
    # A birthday may be known without the year ("--MM-DD"); month and day are stored apart
    # so that birthday campaigns look up an indexed month-day instead of scanning contacts.
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    birth_month = models.PositiveSmallIntegerField(_("birth month"), null=True, blank=True)
    birth_day = models.PositiveSmallIntegerField(_("birth day"), null=True, blank=True)
    language = models.CharField(
        _("language"),
        max_length=LANGUAGE_TAG_MAX_LENGTH,
        default="en",
        validators=[validate_language_tag],
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
    is_primary = models.BooleanField(_("primary contact"), default=False)
    email_consent = models.BooleanField(
        _("email consent"), default=True, help_text=_("Agreed to receive email from us.")
    )
    # When the contact unsubscribed from each category; empty means subscribed.
    unsubscribed_surveys_at = models.DateTimeField(
        _("unsubscribed from surveys"), null=True, blank=True
    )
    unsubscribed_lifecycle_at = models.DateTimeField(
        _("unsubscribed from lifecycle messages"), null=True, blank=True
    )
    unsubscribed_marketing_at = models.DateTimeField(
        _("unsubscribed from marketing"), null=True, blank=True
    )
    external_id = models.CharField(
        _("external ID"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_plain_text],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                Lower("email"), "account", name="contact_unique_email_per_account"
            ),
            models.CheckConstraint(
                condition=(
                    Q(birth_month__isnull=True, birth_day__isnull=True, birth_year__isnull=True)
                    | Q(
                        birth_month__gte=1,
                        birth_month__lte=12,
                        birth_day__gte=1,
                        birth_day__lte=31,
                    )
                ),
                name="contact_birthday_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["birth_month", "birth_day"], name="contact_birthday_idx"),
            models.Index(Lower("email"), name="contact_email_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def birthday(self) -> str:
        """The birthday as in the CSV: YYYY-MM-DD, or --MM-DD when the year is unknown."""
        if self.birth_month is None or self.birth_day is None:
            return ""
        year = f"{self.birth_year:04d}" if self.birth_year else "-"
        return f"{year}-{self.birth_month:02d}-{self.birth_day:02d}"

    def clean(self) -> None:
        super().clean()
        validate_birthday(self.birth_year, self.birth_month, self.birth_day)


class CancelType(models.TextChoices):
    VOLUNTARY = "voluntary", _("Voluntary")
    INVOLUNTARY = "involuntary", _("Involuntary")


class SubscriptionQuerySet(models.QuerySet):
    def active_on(self, day: dt.date) -> SubscriptionQuerySet:
        return self.filter(active_on_q(day))


class Subscription(models.Model):
    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    plan = models.CharField(_("plan"), max_length=100, blank=True, validators=[validate_plain_text])
    mrr = models.DecimalField(
        _("MRR"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
        help_text=_("Monthly recurring revenue in the base currency."),
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(
        _("ended on"), null=True, blank=True, help_text=_("The first day without service.")
    )
    cancel_type = models.CharField(
        _("cancellation type"), max_length=12, choices=CancelType.choices, blank=True
    )
    cancel_reason = models.TextField(
        _("cancellation reason"), blank=True, validators=[validate_plain_multiline_text]
    )
    external_id = models.CharField(
        _("external ID"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_plain_text],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "pk"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.CheckConstraint(condition=Q(mrr__gte=0), name="subscription_mrr_non_negative"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gt=F("started_on")),
                name="subscription_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(cancel_type="") | Q(ended_on__isnull=False),
                name="subscription_cancel_type_needs_end",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "started_on"], name="subscription_account_start"),
            models.Index(fields=["started_on"], name="subscription_start_idx"),
            # Anniversaries look up the subscriptions that started on a month and day.
            models.Index(
                ExtractMonth("started_on"),
                ExtractDay("started_on"),
                name="subscription_start_md_idx",
            ),
            models.Index(fields=["ended_on"], name="subscription_end_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.plan or _('subscription')} · {self.mrr}"

    def is_active_on(self, day: dt.date) -> bool:
        return self.started_on <= day and (self.ended_on is None or day < self.ended_on)

    def clean(self) -> None:
        super().clean()
        validate_subscription_end(self.started_on, self.ended_on, self.cancel_type)


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    QUALIFIED = "qualified", _("Qualified")
    CONVERTED = "converted", _("Converted")
    REJECTED = "rejected", _("Rejected")


class Lead(models.Model):
    """A person who may become a customer: referred by a customer, imported, or entered by
    staff. One per address (matched case-insensitively)."""

    class Source(models.TextChoices):
        REFERRAL = "referral", _("Referral")
        STAFF = "staff", _("Entered by staff")

    email = models.EmailField(_("email"), max_length=254)
    first_name = models.CharField(
        _("first name"), max_length=100, blank=True, validators=[validate_plain_text]
    )
    last_name = models.CharField(
        _("last name"), max_length=100, blank=True, validators=[validate_plain_text]
    )
    company = models.CharField(
        _("company"), max_length=200, blank=True, validators=[validate_plain_text]
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    language = models.CharField(
        _("language"),
        max_length=LANGUAGE_TAG_MAX_LENGTH,
        blank=True,
        validators=[validate_plain_text],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        constraints = [models.UniqueConstraint(Lower("email"), name="lead_unique_email")]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{name} <{self.email}>" if name else self.email
