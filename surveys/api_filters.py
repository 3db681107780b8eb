"""Query filters of the survey API: responses and invitations.

Booleans are true/false/1/0, and anything else a 400 (lifecycle/lib/filters.py).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lifecycle.lib.filters import BoundedIsoDateTimeFilter, StrictBooleanFilter
from surveys.models import Invitation, Response, Survey
from surveys.scoring import Band, SurveyKind


class IntegerFilter(django_filters.NumberFilter):
    """A whole number: "7.5" is a 400, not a silently rounded score."""

    field_class = forms.IntegerField


class ResponseFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=SurveyKind.choices)
    survey = django_filters.ModelChoiceFilter(
        label=_("Survey (slug)"), queryset=Survey.objects.all(), to_field_name="slug"
    )
    # Filters test `value in EMPTY_VALUES`, never truthiness, so score_min=0 filters.
    score_min = IntegerFilter(label=_("Lowest score"), field_name="score", lookup_expr="gte")
    score_max = IntegerFilter(label=_("Highest score"), field_name="score", lookup_expr="lte")
    band = django_filters.ChoiceFilter(label=_("Band"), choices=Band.choices, method="filter_band")
    contact_external_id = django_filters.CharFilter(
        label=_("Contact external ID"), field_name="contact__external_id"
    )
    submitted_after = BoundedIsoDateTimeFilter(
        label=_("Submitted at or after"), field_name="submitted_at", lookup_expr="gte"
    )
    submitted_before = BoundedIsoDateTimeFilter(
        label=_("Submitted before"), field_name="submitted_at", lookup_expr="lt"
    )
    has_comment = StrictBooleanFilter(label=_("Has a comment"), method="filter_comment")

    class Meta:
        model = Response
        fields = [
            "kind",
            "survey",
            "score_min",
            "score_max",
            "band",
            "contact",
            "account",
            "contact_external_id",
            "submitted_after",
            "submitted_before",
            "has_comment",
            "source",
        ]

    def filter_band(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.in_band(value)

    def filter_comment(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.exclude(comment="") if value else queryset.filter(comment="")


class InvitationFilter(django_filters.FilterSet):
    survey = django_filters.ModelChoiceFilter(
        label=_("Survey (slug)"), queryset=Survey.objects.all(), to_field_name="slug"
    )
    answered = StrictBooleanFilter(label=_("Answered"), method="filter_answered")
    created_after = BoundedIsoDateTimeFilter(
        label=_("Created at or after"), field_name="created_at", lookup_expr="gte"
    )
    created_before = BoundedIsoDateTimeFilter(
        label=_("Created before"), field_name="created_at", lookup_expr="lt"
    )

    class Meta:
        model = Invitation
        fields = ["survey", "contact", "account", "answered", "created_after", "created_before"]

    def filter_answered(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(response__isnull=not value)
