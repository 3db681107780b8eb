"""The period and segment of a metrics request, validated once for the dashboard pages, the
API and the `metrics` command (on pages the URL keeps the state).

A request's form is composed of parts; each reads its own fields and adds one result to
`cleaned_data`: PeriodForm a "range" (a Period), CohortRangeForm the "start" and "end" cohort
months, SegmentForm a "segment" (a Segment, with CohortFilterForm's month where the form has
that part). MetricsForm, SeriesForm and CohortForm put the parts together.

`api=True` keeps the contract the API and the command have always had (they validated with
DRF): both dates or months required, DRF's wording of errors, rules across fields checked
once every field is valid and reported on `end`. Pages default the period instead and
report rules across fields above the form.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import (
    ProhibitNullCharactersValidator,
    RegexValidator,
    validate_email,
)
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.bands import EMPLOYEE_BAND_CHOICES
from accounts.filters import industry_choices, owner_queryset
from accounts.models import Account
from lifecycle.lib.display import person
from lifecycle.metrics.cohorts import MONTH_RE, check_range, default_range, parse_month
from lifecycle.metrics.periods import (
    GRANULARITIES,
    InvalidPeriod,
    buckets,
    check_year,
    preset_period,
    requested_period,
)
from lifecycle.metrics.queries import Segment

Choices = list[tuple[str, str]]

PRESET_CHOICES = [
    ("last-12-months", _("Last 12 months")),
    ("this-month", _("This month")),
    ("last-month", _("Last month")),
    ("this-quarter", _("This quarter")),
    ("last-quarter", _("Last quarter")),
    ("this-year", _("This year")),
    ("last-year", _("Last year")),
    ("custom", _("Custom")),
]
DEFAULT_PRESET = "last-12-months"
ALL: Choices = [("", _("All"))]
MONTH_MESSAGE = _("Give a month as YYYY-MM.")


def country_choices() -> Choices:
    countries = Account.objects.exclude(country="").order_by("country")
    return [(c, c) for c in countries.values_list("country", flat=True).distinct()]


def owner_choices() -> Choices:
    return [(str(user.pk), person(user)) for user in owner_queryset(None)]


def _drf(message: str, **values: str) -> str:
    """An error as DRF words it, in DRF's translations: the API and the command have always
    answered so. DRF's {input} becomes Django's %(value)s."""
    return lazy(lambda: gettext(message).format(input="%(value)s", **values), str)()


DRF_INVALID_CHOICE = _drf('"{input}" is not a valid choice.')
DRF_INVALID_EMAIL = _drf("Enter a valid email address.")
DRF_INVALID_DATE = _drf(
    "Date has wrong format. Use one of these formats instead: {format}.", format="YYYY-MM-DD"
)


# --- Fields -------------------------------------------------------------------------------


class QueryField(forms.Field):
    """A field of a query string. `api_error_messages` word its errors for the API and the
    command. Required, it tells an empty value ("blank") from a missing one ("required"),
    as DRF did. A value with a null character gets that error alone."""

    default_error_messages = {"blank": forms.Field.default_error_messages["required"]}
    api_error_messages: ClassVar[dict[str, Any]] = {}

    def __init__(
        self, *args: Any, api_error_messages: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.api_error_messages = {**type(self).api_error_messages, **(api_error_messages or {})}

    def take_api_contract(self) -> None:
        """Answer as the API and the command always have."""
        self.error_messages.update(self.api_error_messages)

    def clean(self, value: Any) -> Any:
        if value == "" and self.required:
            raise ValidationError(self.error_messages["blank"], code="blank")
        if isinstance(value, str):
            ProhibitNullCharactersValidator()(value)
        return super().clean(value)


class DayField(QueryField, forms.DateField):
    """A day in ISO 8601 (2024-01-05, 2024-1-5, 20240105), or on pages also in an input format
    of the active language (01/05/2024 in English)."""

    api_error_messages: ClassVar[dict[str, Any]] = {
        "invalid": DRF_INVALID_DATE,
        "blank": DRF_INVALID_DATE,
    }

    def take_api_contract(self) -> None:
        super().take_api_contract()
        self.input_formats = []  # ISO 8601 only, as the API documents

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, str):
            try:
                day = parse_date(value.strip())
            except ValueError:  # the shape of a date, but not a real one
                day = None
            if day is not None:
                return day
        return super().to_python(value)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value:
            _check_year(value)


def _check_year(day: dt.date) -> None:
    try:
        check_year(day)
    except InvalidPeriod as exc:  # year 1 or 9999 would overflow the metrics' date maths
        raise ValidationError(str(exc), code="year") from exc


class MonthField(QueryField, forms.CharField):
    """A month as YYYY-MM, cleaned to its first day: the one parser of months."""

    default_error_messages = {"invalid": MONTH_MESSAGE, "pattern": MONTH_MESSAGE}
    api_error_messages: ClassVar[dict[str, Any]] = {
        "pattern": _drf("This value does not match the required pattern."),
        "blank": _drf("This field may not be blank."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [RegexValidator(MONTH_RE, code="pattern")]  # QueryField checks nulls

    def clean(self, value: Any) -> dt.date | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            month = parse_month(text)
        except InvalidPeriod as exc:  # 0000-01
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
        _check_year(month)
        return month


class ChoiceField(QueryField, forms.ChoiceField):
    api_error_messages: ClassVar[dict[str, Any]] = {"invalid_choice": DRF_INVALID_CHOICE}


class FoundChoiceField(ChoiceField):
    """A value that some account has (an industry, a country): the form gives the choices
    from the database. `normalize` makes the value what is stored (stripped, capitals)."""

    def __init__(self, *, normalize: Callable[[str], str] = str.strip, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.normalize = normalize

    def to_python(self, value: Any) -> str:
        return self.normalize(super().to_python(value))


class OwnerField(QueryField, forms.ChoiceField):
    """An account owner by user id (the pages' select) or by email (the API, the command),
    cleaned to the user's id: the one owner lookup. Any user may be named, as the API always
    allowed; the form's choices list the users who own accounts, for the pages."""

    default_error_messages = dict.fromkeys(
        ("invalid", "invalid_choice", "unknown_email"),
        forms.ModelChoiceField.default_error_messages["invalid_choice"],
    )
    api_error_messages: ClassVar[dict[str, Any]] = {
        "invalid": DRF_INVALID_EMAIL,
        "invalid_choice": DRF_INVALID_EMAIL,
        "unknown_email": _("No user has this email."),
    }

    def to_python(self, value: Any) -> int | None:
        text = super().to_python(value).strip()
        if not text:
            return None
        users = get_user_model()._default_manager
        if text.isascii() and text.isdigit():
            found, missing = users.filter(pk=int(text)), "invalid_choice"
        else:
            try:
                validate_email(text)
            except ValidationError as exc:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
            found, missing = users.filter(email__iexact=text), "unknown_email"
        pk = found.values_list("pk", flat=True).first()
        if pk is None:
            raise ValidationError(self.error_messages[missing], code=missing)
        return pk

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)  # to_python found the user; choices are for show


def _month_input() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m", attrs={"type": "month", "placeholder": "YYYY-MM"})


# --- Parts ----------------------------------------------------------------------------------


class QueryForm(forms.Form):
    """What the parts share: who asks (`api`, see the module's docstring) and the day it is
    (`today`) for the defaults."""

    def __init__(
        self, data: Any = None, *, api: bool = False, today: dt.date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.api = api
        self.today = today or timezone.localdate()
        if api:
            for field in self.fields.values():
                if isinstance(field, QueryField):
                    field.take_api_contract()

    @property
    def checks_across(self) -> bool:
        """Whether to check rules across fields: on pages always; for the API, as DRF did,
        only once every field is valid."""
        return not (self.api and self.errors)

    def error_across(self, message: str, field: str = "end") -> None:
        """A rule across fields is broken: say so above the form on pages, on `field` for the
        API."""
        self.add_error(field if self.api else None, message)


class PeriodForm(QueryForm):
    """The period [start, end): a preset of the pages' picker, or its two dates (custom).
    Pages measure the last 12 months when given neither; the API and the command give both
    dates."""

    period = ChoiceField(label=_("Period"), choices=PRESET_CHOICES, required=False)
    start = DayField(label=_("From"), required=False, widget=forms.DateInput({"type": "date"}))
    end = DayField(
        label=_("Until (exclusive)"), required=False, widget=forms.DateInput({"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start"].required = self.fields["end"].required = self.api

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.checks_across:
            return data
        start, end = data.get("start"), data.get("end")
        preset = data.get("period") or DEFAULT_PRESET
        try:
            if self.api or preset == "custom" or start or end:
                if not (start and end):
                    raise InvalidPeriod(_("Give both dates of a custom period."))
                data["range"] = requested_period(start, end)
            else:
                data["range"] = preset_period(preset, self.today)
        except InvalidPeriod as exc:
            self.error_across(str(exc))
        return data


class CohortRangeForm(QueryForm):
    """Cohort months from `start` to `end`, both included. On pages a blank month is one of
    the last 12 months, and the form shows it; the API and the command give both."""

    start = MonthField(label=_("From"), required=False, widget=_month_input())
    end = MonthField(label=_("To"), required=False, widget=_month_input())

    def __init__(
        self, data: Any = None, *, api: bool = False, today: dt.date | None = None, **kwargs: Any
    ) -> None:
        today = today or timezone.localdate()
        if data is not None and not api:
            first, last = default_range(today)
            given = {key: value for key, value in data.items() if value}
            data = {"start": f"{first:%Y-%m}", "end": f"{last:%Y-%m}", **given}
        super().__init__(data, api=api, today=today, **kwargs)
        self.fields["start"].required = self.fields["end"].required = api

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and self.checks_across:
            try:
                check_range(start, end)
            except InvalidPeriod as exc:
                self.error_across(str(exc))
        return data


class SegmentForm(QueryForm):
    """The accounts measured: by industry, employee band, country and owner, and by the
    month of their first customer day where the form has CohortFilterForm's `cohort`. The
    one place that builds a Segment."""

    industry = FoundChoiceField(
        label=_("Industry"),
        required=False,
        api_error_messages={"invalid_choice": _("No account has this industry.")},
    )
    band = ChoiceField(label=_("Employees"), choices=[*ALL, *EMPLOYEE_BAND_CHOICES], required=False)
    country = FoundChoiceField(
        label=_("Country"),
        required=False,
        normalize=lambda value: value.strip().upper(),
        api_error_messages={"invalid_choice": _("No account is in this country.")},
    )
    owner = OwnerField(label=_("Owner"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # From the database on first use (to validate or to show), then kept: one query each.
        self.fields["industry"].choices = functools.cache(lambda: [*ALL, *industry_choices()])
        self.fields["country"].choices = functools.cache(lambda: [*ALL, *country_choices()])
        self.fields["owner"].choices = functools.cache(lambda: [*ALL, *owner_choices()])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["segment"] = Segment(
            industry=data.get("industry", ""),
            employee_band=data.get("band", ""),
            country=data.get("country", ""),
            owner_id=data.get("owner"),
            cohort_month=data.get("cohort"),
        )
        return data


class CohortFilterForm(QueryForm):
    """Only the accounts whose first customer day is in one month (SegmentForm reads it)."""

    cohort = MonthField(
        label=_("Cohort"),
        required=False,
        widget=forms.DateInput({"type": "month"}),
        help_text=_("Month of the first customer day."),
    )


# --- Requests -------------------------------------------------------------------------------
# Django shows the fields of the last base first: the parts are listed last-shown first.


class MetricsForm(CohortFilterForm, SegmentForm, PeriodForm):
    """A period and a segment: the overview and churn pages and their CSVs, the period
    metrics and daily totals of the API, the `metrics` command."""


class SeriesForm(MetricsForm):
    """A period and a segment, and the buckets to cut the period into (the series API)."""

    granularity = ChoiceField(
        choices=[(name, name) for name in GRANULARITIES], required=False, initial="month"
    )

    def clean_granularity(self) -> str:
        return self.cleaned_data["granularity"] or self.fields["granularity"].initial

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "range" in data and "granularity" in data and self.checks_across:
            try:
                buckets(data["range"], data["granularity"])
            except InvalidPeriod as exc:
                self.error_across(str(exc), field="granularity")
        return data


class CohortForm(SegmentForm, CohortRangeForm):
    """Cohort months and a segment without a cohort filter (the cohorts are the rows): the
    cohorts page and its CSV, the cohort table of the API."""
