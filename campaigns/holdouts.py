"""What a campaign changes: its sent group against its held-out group (docs/campaigns.md).

Each outcome is measured within OUTCOME_DAYS of the message's date, so only messages at
least that old count ("mature"); the difference comes with a 95% interval, and no verdict
under MIN_GROUP contacts a group. Counts come from one query per campaign.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from accounts.models import Subscription, active_on_q
from campaigns.extensions import OUTCOMES, Outcome
from campaigns.models import Campaign, Engagement, Message, MessageStatus, Referral
from lifecycle.lib import proportions

OUTCOME_DAYS = 90


@dataclass(frozen=True)
class Comparison:
    outcome: Outcome
    sent: int  # messages of the sent group
    sent_with: int  # ...whose contact did it
    held: int
    held_with: int
    difference: proportions.Difference


@dataclass(frozen=True)
class HoldoutReport:
    measured_after: dt.datetime  # messages due before this are mature
    sent: int
    held: int
    immature: int  # too recent to measure yet
    comparisons: list[Comparison]

    @property
    def enough(self) -> bool:
        return min(self.sent, self.held) >= proportions.MIN_GROUP


def stayed_a_customer(window: dt.timedelta) -> Exists:
    """The contact's account still pays at the end of the window (it renewed, no churn)."""
    end_day = TruncDate(
        ExpressionWrapper(OuterRef("due_at") + window, output_field=DateTimeField())
    )
    return Exists(
        Subscription.objects.filter(
            active_on_q(end_day), account=OuterRef("contact__account"), mrr__gt=0
        )
    )


def clicked(window: dt.timedelta) -> Exists:
    return Exists(
        Engagement.objects.filter(message=OuterRef("pk"), kind=Engagement.Kind.CLICK, machine=False)
    )


def referred_someone(window: dt.timedelta) -> Exists:
    """The contact referred a peer on their referral page within the window."""
    end = ExpressionWrapper(OuterRef("due_at") + window, output_field=DateTimeField())
    return Exists(
        Referral.objects.filter(
            referrer=OuterRef("contact"), created_at__gt=OuterRef("due_at"), created_at__lte=end
        )
    )


STAYED = Outcome("stayed_a_customer", _("Still a customer 90 days later"), stayed_a_customer)
REFERRED = Outcome("referred_someone", _("Referred someone within 90 days"), referred_someone)
CLICKED = Outcome("clicked", _("Clicked a link (people only)"), clicked, sent_only=True)


def report(campaign: Campaign, *, now: dt.datetime) -> HoldoutReport:
    """One observation per contact: their first message of the campaign old enough to be
    measured (follow-ups such as survey reminders aside). The sent group is everyone meant
    to get it, skipped ones included (intention to treat), so that a rule skipping some
    contacts at send time does not flatter the campaign."""
    window = dt.timedelta(days=OUTCOME_DAYS)
    mature_before = now - window
    outcomes = sorted(
        (outcome for outcome in OUTCOMES if outcome.applies(campaign)),
        key=lambda outcome: outcome.sent_only,  # what only a sent email can cause, last
    )
    planned = (
        Message.objects.filter(campaign=campaign, contact__isnull=False)
        .exclude(status__in=[MessageStatus.QUEUED, MessageStatus.SENDING])
        .exclude(occurrence__startswith="reminder:")
    )
    immature = planned.filter(due_at__gt=mature_before).values("contact").distinct().count()
    mature = planned.filter(due_at__lte=mature_before)
    first = mature.filter(contact=OuterRef("contact")).order_by("due_at", "pk").values("pk")[:1]
    observed = mature.filter(pk=Subquery(first)).annotate(
        **{f"did_{outcome.key}": outcome.happened(window) for outcome in outcomes}
    )
    treated, held_out = ~Q(status=MessageStatus.HELD_OUT), Q(status=MessageStatus.HELD_OUT)
    counts = observed.aggregate(
        sent=Count("pk", filter=treated),
        held=Count("pk", filter=held_out),
        **{
            f"{group}_{outcome.key}": Count(
                "pk", filter=condition & Q(**{f"did_{outcome.key}": True})
            )
            for outcome in outcomes
            for group, condition in (("sent", treated), ("held", held_out))
        },
    )
    comparisons = []
    for outcome in outcomes:
        sent_with, held_with = counts[f"sent_{outcome.key}"], counts[f"held_{outcome.key}"]
        held = 0 if outcome.sent_only else counts["held"]
        comparisons.append(
            Comparison(
                outcome=outcome,
                sent=counts["sent"],
                sent_with=sent_with,
                held=held,
                held_with=0 if outcome.sent_only else held_with,
                difference=proportions.difference(sent_with, counts["sent"], held_with, held),
            )
        )
    return HoldoutReport(mature_before, counts["sent"], counts["held"], immature, comparisons)
