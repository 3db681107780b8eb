"""The dashboard's period picker and segment filters (the URL keeps the state)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.bands import EMPLOYEE_BAND_CHOICES
from accounts.filters import industry_choices
from accounts.models import Account
from lifecycle.metrics.cohorts import check_range, default_range
from lifecycle.metrics.periods import InvalidPeriod, Period, preset_period
from lifecycle.metrics.queries import Segment

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


def country_choices() -> list[tuple[str, str]]:
    countries = Account.objects.exclude(country="").order_by("country")
    return [(c, c) for c in countries.values_list("country", flat=True).distinct()]


class DashboardForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PRESET_CHOICES, required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(
        label=_("Until (exclusive)"), required=False, widget=forms.DateInput({"type": "date"})
    )
    industry = forms.ChoiceField(label=_("Industry"), required=False)
    band = forms.ChoiceField(label=_("Employees"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    owner = forms.ModelChoiceField(
        label=_("Owner"), required=False, queryset=get_user_model().objects.none()
    )
    cohort = forms.CharField(
        label=_("Cohort"),
        required=False,
        widget=forms.DateInput({"type": "month"}),
        help_text=_("Month of the first customer day."),
    )

    def __init__(self, *args: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        any_choice = [("", _("All"))]
        self.fields["industry"].choices = any_choice + industry_choices()
        self.fields["band"].choices = any_choice + EMPLOYEE_BAND_CHOICES
        self.fields["country"].choices = any_choice + country_choices()
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(owned_accounts__isnull=False)
            .distinct()
            .order_by("username")
        )
        self.fields["owner"].empty_label = _("All")

    def clean_cohort(self) -> dt.date | None:
        value = self.cleaned_data["cohort"]
        if not value:
            return None
        try:
            return dt.date.fromisoformat(f"{value}-01")
        except ValueError as exc:
            raise forms.ValidationError(_("Give a month as YYYY-MM.")) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        preset = data.get("period") or "last-12-months"
        try:
            if preset == "custom" or data.get("start") or data.get("end"):
                if not (data.get("start") and data.get("end")):
                    raise InvalidPeriod(_("Give both dates of a custom period."))
                data["range"] = Period(data["start"], data["end"])
            else:
                data["range"] = preset_period(preset, self.today)
        except InvalidPeriod as exc:
            raise forms.ValidationError(str(exc)) from exc
        data["segment"] = Segment(
            industry=data.get("industry", ""),
            employee_band=data.get("band", ""),
            country=data.get("country", ""),
            owner_id=data["owner"].pk if data.get("owner") else None,
            cohort_month=data.get("cohort"),
        )
        return data


def _month_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month", "placeholder": "YYYY-MM"}),
        error_messages={"invalid": _("Give a month as YYYY-MM.")},
    )


class CohortForm(DashboardForm):
    """Cohort months from/to (both included; blank means the last 12 months) and the
    dashboard's segment filters. Cohorts are the rows, so there is no cohort filter."""

    period = None
    cohort = None
    start = _month_field(_("From"))
    end = _month_field(_("To"))

    def __init__(
        self, data: Any = None, *args: Any, today: dt.date | None = None, **kwargs: Any
    ) -> None:
        today = today or timezone.localdate()
        first, last = default_range(today)
        if data is not None:  # a blank month means the default, and the form shows it
            given = {key: value for key, value in data.items() if value}
            data = {"start": f"{first:%Y-%m}", "end": f"{last:%Y-%m}", **given}
        super().__init__(data, *args, today=today, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super(DashboardForm, self).clean()  # DashboardForm.clean reads a period
        if data.get("start") and data.get("end"):
            try:
                check_range(data["start"], data["end"])
            except InvalidPeriod as exc:
                raise forms.ValidationError(str(exc)) from exc
        data["segment"] = Segment(
            industry=data.get("industry", ""),
            employee_band=data.get("band", ""),
            country=data.get("country", ""),
            owner_id=data["owner"].pk if data.get("owner") else None,
        )
        return data
