"""What surveys add to campaigns, registered in SurveysConfig.ready(): surveys as campaign
content, and the promoter trigger (referral requests to the latest NPS promoters)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import (
    DateTimeField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Contact
from campaigns import schedule
from campaigns.audience import rolling_audience
from campaigns.authored import asks_for_review
from campaigns.extensions import Content, Outcome
from campaigns.models import Campaign, Message, NpsBand
from campaigns.planning import BATCH, Planned
from surveys.models import FollowUpReason, Response, ResponseSource, survey_of
from surveys.scoring import Band, SurveyKind, band, band_range
from surveys.selectors import surveyable
from surveys.services import INVITATION_EMAIL, open_follow_up, plan_reminders


def email_for(campaign: Campaign) -> str | None:
    return INVITATION_EMAIL if survey_of(campaign) else None


def audience(campaign: Campaign, contacts: QuerySet, now: dt.datetime) -> QuerySet:
    """Contacts not surveyed too recently (survey fatigue)."""
    return surveyable(contacts, survey_of(campaign), now=now)


def plan(campaign: Campaign, now: dt.datetime) -> int:
    return plan_reminders(campaign, now=now)


SURVEYS = Content(email_for=email_for, audience=audience, plan=plan)


PROMOTER_WITHIN_DAYS = 30
# One referral ask per contact in this many days, however often they answer 9 or 10.
PROMOTER_ASK_EVERY_DAYS = 90


def plan_promoters(campaign: Campaign, now: dt.datetime, immediate: bool) -> Iterator[Planned]:
    """Customer contacts whose latest NPS answer is a promoter's (9-10), given by email
    within 30 days (an answer brought in by a CSV import of old history asks nobody): one
    message per such answer, at most one per contact in 90 days, at the campaign's hour in
    the contact's zone."""
    later = Response.objects.filter(
        contact=OuterRef("contact"), kind=SurveyKind.NPS, submitted_at__gt=OuterRef("submitted_at")
    )
    asked = Message.objects.filter(
        campaign=campaign,
        contact=OuterRef("contact"),
        due_at__gte=now - dt.timedelta(days=PROMOTER_ASK_EVERY_DAYS),
    )
    promoters = (
        Response.objects.in_band(Band.HIGH, kind=SurveyKind.NPS)
        .filter(submitted_at__gte=now - dt.timedelta(days=PROMOTER_WITHIN_DAYS))
        .filter(submitted_at__lte=now)
        .exclude(source=ResponseSource.IMPORT)
        .exclude(Exists(later))
        .exclude(Exists(asked))
    )
    audience = rolling_audience(campaign, now=now, day=timezone.localdate(now)).values("pk")
    rows = promoters.filter(contact__in=audience).values_list(
        "pk", "contact", "contact__timezone", "score", "submitted_at"
    )
    for response_id, contact_id, zone_name, score, submitted_at in rows.iterator(BATCH):
        due_at = (
            now if immediate else schedule.next_sending_time(now, campaign.send_hour, zone_name)
        )
        reason = f"Promoter: NPS {score} on {submitted_at:%Y-%m-%d}"
        yield Planned(contact_id, f"promoter:{response_id}", due_at, reason)


def answered_nps(window: dt.timedelta) -> Exists:
    """The contact answered an NPS survey within `window` after the message's date."""
    end = ExpressionWrapper(OuterRef("due_at") + window, output_field=DateTimeField())
    return Exists(
        Response.objects.filter(
            contact=OuterRef("contact"),
            kind=SurveyKind.NPS,
            submitted_at__gt=OuterRef("due_at"),
            submitted_at__lte=end,
        )
    )


ANSWERED_NPS = Outcome(
    "answered_nps",
    _("Answered an NPS survey within 90 days"),
    answered_nps,
    applies=lambda campaign: survey_of(campaign) is None,
)


NPS_BANDS = {
    NpsBand.PROMOTER: Band.HIGH,
    NpsBand.PASSIVE: Band.NEUTRAL,
    NpsBand.DETRACTOR: Band.LOW,
}


def in_nps_band(contacts: QuerySet[Contact], band: str) -> QuerySet[Contact]:
    """Contacts whose latest NPS answer is in `band` (or who never answered NPS)."""
    answers = Response.objects.filter(contact=OuterRef("pk"), kind=SurveyKind.NPS)
    if band == NpsBand.UNANSWERED:
        return contacts.exclude(Exists(answers))
    latest = answers.order_by("-submitted_at", "-pk").values("score")[:1]
    low, high = band_range(SurveyKind.NPS, NPS_BANDS[band])
    return contacts.alias(latest_nps=Subquery(latest)).filter(
        latest_nps__gte=low, latest_nps__lte=high
    )


def answered_since_entering() -> Exists:
    """Over a DripEnrollment row: its contact answered a survey since entering the drip."""
    return Exists(
        Response.objects.filter(
            contact=OuterRef("contact"), submitted_at__gte=OuterRef("entered_at")
        )
    )


def follow_up_a_detractor_asked_for_review(campaign: Campaign, contact_id: int) -> None:
    """A detractor gets the same review request as everyone (no gating), and support too:
    their account's open "NPS detractor" follow-up item, opened or joined."""
    # A review request cannot send without its review page: most sends stop here, queryless.
    if not campaign.review_url or not asks_for_review(campaign):
        return
    latest = (
        Response.objects.filter(contact_id=contact_id, kind=SurveyKind.NPS)
        .order_by("-submitted_at", "-pk")
        .select_related("account")
        .first()
    )
    if latest is not None and band(SurveyKind.NPS, latest.score) == Band.LOW:
        open_follow_up(latest, FollowUpReason.DETRACTOR)
