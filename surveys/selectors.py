"""Reads about surveys: who may be surveyed (fatigue), and the roll-ups staff see."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Contact
from campaigns.schedule import day_cutoff
from surveys.models import Invitation, Survey


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
