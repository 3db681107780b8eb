"""Surveys as campaign content: registered with campaigns in SurveysConfig.ready()."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from campaigns.extensions import Content
from campaigns.models import Campaign
from surveys.models import survey_of
from surveys.selectors import surveyable
from surveys.services import INVITATION_EMAIL, plan_reminders


def email_for(campaign: Campaign) -> str | None:
    return INVITATION_EMAIL if survey_of(campaign) else None


def audience(campaign: Campaign, contacts: QuerySet, now: dt.datetime) -> QuerySet:
    """Contacts not surveyed too recently (survey fatigue)."""
    return surveyable(contacts, survey_of(campaign), now=now)


def plan(campaign: Campaign, now: dt.datetime) -> int:
    return plan_reminders(campaign, now=now)


SURVEYS = Content(email_for=email_for, audience=audience, plan=plan)
