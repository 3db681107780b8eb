"""Email engagement of a period, computed in the database (docs/metrics.md, Email engagement).

A message counts in the period that contains its `sent_at` (site time, like every instant of
the metrics): the mail server took it then. Opens and clicks are people's only: the machine
hits of privacy proxies and link scanners (campaigns.machines) are left out, and a click
proves an open. One query whatever the number of messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from campaigns.models import DeliveryEvent, Engagement, Message, MessageStatus, Unsubscription
from lifecycle.lib.numbers import ratio
from lifecycle.metrics.periods import Period
from lifecycle.metrics.survey_metrics import moments

if TYPE_CHECKING:
    from lifecycle.metrics.queries import Segment

EMAIL_KEYS = frozenset(
    {
        "emails_sent",
        "unique_opens",
        "unique_clicks",
        "open_rate",
        "click_rate",
        "click_to_open_rate",
        "emails_bounced",
        "bounce_rate",
        "unsubscribes",
        "unsubscribe_rate",
    }
)


def sent_in(period: Period, segment: Segment) -> QuerySet[Message]:
    """Every email to a contact the mail server took in the period, for the segment's
    accounts (notifications to staff and admins' tests are not the contacts' mail; the
    emails of contacts erased since are)."""
    start, end = moments(period)
    sent = (
        Message.objects.to_contacts()
        .filter(status=MessageStatus.SENT, sent_at__gte=start, sent_at__lt=end)
        .order_by()
    )
    if segment.filters_anything:
        sent = sent.of_accounts(segment.measured_accounts())
    return sent


def email_results(totals: dict[str, int]) -> dict[str, Any]:
    sent, opens, clicks = totals["emails_sent"], totals["unique_opens"], totals["unique_clicks"]
    return {
        **totals,
        "open_rate": ratio(opens, sent),
        "click_rate": ratio(clicks, sent),
        "click_to_open_rate": ratio(clicks, opens),
        "bounce_rate": ratio(totals["emails_bounced"], sent),
        "unsubscribe_rate": ratio(totals["unsubscribes"], sent),
    }


def email_metrics(period: Period, segment: Segment) -> dict[str, Any]:
    people = Engagement.objects.filter(message=OuterRef("pk"), machine=False)
    totals = sent_in(period, segment).aggregate(
        emails_sent=Count("pk"),
        unique_opens=Count("pk", filter=Q(Exists(people))),
        unique_clicks=Count("pk", filter=Q(Exists(people.filter(kind=Engagement.Kind.CLICK)))),
        emails_bounced=Count(
            "pk",
            filter=Q(Exists(DeliveryEvent.objects.filter(message=OuterRef("pk"), kind="bounced"))),
        ),
        unsubscribes=Count(
            "pk", filter=Q(Exists(Unsubscription.objects.filter(message=OuterRef("pk"))))
        ),
    )
    return email_results(totals)
