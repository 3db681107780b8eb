"""Reads about surveys: who may be surveyed (fatigue), and the roll-ups staff see."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from accounts.models import Contact
from campaigns.schedule import day_cutoff
from surveys.models import Invitation, Response, Survey
from surveys.scoring import Band, SurveyKind, band_range


def recent_invitations(survey: Survey, *, now: dt.datetime) -> QuerySet[Invitation]:
    """Invitations that make another survey too soon: any survey within the global interval,
    or one of the same kind within the survey's own interval."""
    recent = Q(created_at__gte=day_cutoff(now, settings.SURVEY_FATIGUE_DAYS))
    if survey.interval_days:
        recent |= Q(survey__kind=survey.kind, created_at__gte=day_cutoff(now, survey.interval_days))
    return Invitation.objects.filter(recent)


def surveyable(contacts: QuerySet[Contact], survey: Survey, *, now: dt.datetime) -> QuerySet:
    """The contacts who may be invited to `survey` now."""
    recent = recent_invitations(survey, now=now).filter(contact=OuterRef("pk"))
    return contacts.filter(email_consent=True, unsubscribed_surveys_at__isnull=True).exclude(
        Exists(recent)
    )


def throttled(contact: Contact, survey: Survey, *, now: dt.datetime) -> bool:
    """True when `contact` was surveyed too recently."""
    return recent_invitations(survey, now=now).filter(contact=contact).exists()


def latest_nps_scores() -> QuerySet:
    """Each contact's latest NPS score, as a subquery on Contact."""
    return (
        Response.objects.filter(contact=OuterRef("pk"), kind=SurveyKind.NPS)
        .order_by("-submitted_at", "-pk")
        .values("score")[:1]
    )


def promoters(contacts: QuerySet[Contact] | None = None) -> QuerySet[Contact]:
    """Contacts whose latest NPS answer is 9 or 10: the audience of referral and
    testimonial asks. Derived, never stored, so a later low score unmarks them at once."""
    contacts = Contact.objects.all() if contacts is None else contacts
    lowest_promoter, _highest = band_range(SurveyKind.NPS, Band.HIGH)
    latest = contacts.annotate(latest_nps=Subquery(latest_nps_scores()))
    return latest.filter(latest_nps__gte=lowest_promoter)
