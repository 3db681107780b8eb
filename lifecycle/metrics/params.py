"""Validation of a period and segment request, shared by the API and the `metrics` command."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.bands import EMPLOYEE_BAND_CHOICES
from accounts.models import Account
from lifecycle.metrics.cohorts import MONTH_RE, check_range, parse_month
from lifecycle.metrics.periods import GRANULARITIES, InvalidPeriod, Period, buckets
from lifecycle.metrics.queries import Segment


class MetricsQuerySerializer(serializers.Serializer):
    """A period [start, end) and optional segment filters."""

    start = serializers.DateField(help_text=_("First day of the period (YYYY-MM-DD)."))
    end = serializers.DateField(help_text=_("The day after the period's last day (exclusive)."))
    industry = serializers.CharField(required=False, allow_blank=True)
    band = serializers.ChoiceField(choices=EMPLOYEE_BAND_CHOICES, required=False, allow_blank=True)
    country = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.EmailField(
        required=False, allow_blank=True, help_text=_("The account owner's email.")
    )
    cohort = serializers.RegexField(
        r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        allow_blank=True,
        help_text=_("Month of the first customer day, YYYY-MM."),
    )

    def validate_industry(self, value: str) -> str:
        if value and not Account.objects.filter(industry=value).exists():
            raise serializers.ValidationError(_("No account has this industry."))
        return value

    def validate_country(self, value: str) -> str:
        if value and not Account.objects.filter(country=value.upper()).exists():
            raise serializers.ValidationError(_("No account is in this country."))
        return value.upper()

    def validate_owner(self, value: str) -> int | None:
        if not value:
            return None
        owner = get_user_model().objects.filter(email__iexact=value).values_list("pk", flat=True)
        if not owner:
            raise serializers.ValidationError(_("No user has this email."))
        return owner[0]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            attrs["period"] = Period(attrs["start"], attrs["end"])
        except InvalidPeriod as exc:
            raise serializers.ValidationError({"end": [str(exc)]}) from exc
        cohort = attrs.get("cohort")
        attrs["segment"] = Segment(
            industry=attrs.get("industry", ""),
            employee_band=attrs.get("band", ""),
            country=attrs.get("country", ""),
            owner_id=attrs.get("owner"),
            cohort_month=dt.date.fromisoformat(f"{cohort}-01") if cohort else None,
        )
        return attrs


class SeriesQuerySerializer(MetricsQuerySerializer):
    granularity = serializers.ChoiceField(choices=GRANULARITIES, default="month")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        try:
            attrs["buckets"] = len(buckets(attrs["period"], attrs["granularity"]))
        except InvalidPeriod as exc:
            raise serializers.ValidationError({"granularity": [str(exc)]}) from exc
        return attrs


class CohortQuerySerializer(MetricsQuerySerializer):
    """A range of cohort months, both included, and the segment filters (no cohort filter:
    the cohorts are the rows)."""

    start = serializers.RegexField(MONTH_RE, help_text=_("First cohort month (YYYY-MM)."))
    end = serializers.RegexField(MONTH_RE, help_text=_("Last cohort month (YYYY-MM), included."))
    cohort = None

    def validate_start(self, value: str) -> dt.date:
        return self._month(value)

    def validate_end(self, value: str) -> dt.date:
        return self._month(value)

    @staticmethod
    def _month(value: str) -> dt.date:
        try:
            return parse_month(value)
        except InvalidPeriod as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            check_range(attrs["start"], attrs["end"])
        except InvalidPeriod as exc:
            raise serializers.ValidationError({"end": [str(exc)]}) from exc
        attrs["segment"] = Segment(
            industry=attrs.get("industry", ""),
            employee_band=attrs.get("band", ""),
            country=attrs.get("country", ""),
            owner_id=attrs.get("owner"),
        )
        return attrs
