"""Reads about campaigns: each campaign's delivery and engagement counts, in the database.

Opens and clicks are people's only (machines' are counted apart, campaigns.machines); a
message counts as opened when a person loaded its image or clicked one of its links (images
are often blocked, a click proves the open). docs/metrics.md defines the rates.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from campaigns.models import (
    Campaign,
    DeliveryEvent,
    Engagement,
    Message,
    MessageStatus,
    Unsubscription,
)
from lifecycle.lib.numbers import ratio


@dataclass(frozen=True)
class CampaignStats:
    queued: int
    sent: int
    skipped: int
    failed: int
    review: int
    held_out: int
    opened: int  # messages a person opened (or clicked)
    clicked: int  # messages a person clicked
    machine_opens: int
    machine_clicks: int
    delivered: int  # as the email provider reported (its tracking webhook)
    bounced: int
    complained: int
    unsubscribes: int
    skipped_by_reason: list[tuple[str, int]]

    @property
    def open_rate(self):
        return ratio(self.opened, self.sent)

    @property
    def click_rate(self):
        return ratio(self.clicked, self.sent)

    @property
    def click_to_open(self):
        return ratio(self.clicked, self.opened)

    @property
    def unsubscribe_rate(self):
        return ratio(self.unsubscribes, self.sent)


def _reported(kind: str) -> Exists:
    return Exists(DeliveryEvent.objects.filter(message=OuterRef("pk"), kind=kind))


def _human(kind: str | None = None) -> Exists:
    hits = Engagement.objects.filter(message=OuterRef("pk"), machine=False)
    return Exists(hits.filter(kind=kind) if kind else hits)


def campaign_stats(campaign: Campaign) -> CampaignStats:
    """Five queries whatever the campaign's size."""
    messages = Message.objects.to_contacts().filter(campaign=campaign)
    counts = messages.aggregate(
        **{
            status: Count("pk", filter=Q(status=status))
            for status in ("queued", "sent", "skipped", "failed", "review", "held_out")
        },
        opened=Count("pk", filter=Q(_human())),
        clicked=Count("pk", filter=Q(_human(Engagement.Kind.CLICK))),
    )
    delivery = messages.aggregate(
        **{
            name: Count("pk", filter=Q(Exists(_reported(kind))))
            for name, kind in (
                ("delivered", "delivered"),
                ("bounced", "bounced"),
                ("complained", "complained"),
            )
        }
    )
    machines = Engagement.objects.filter(message__campaign=campaign, machine=True).aggregate(
        machine_opens=Count("pk", filter=Q(kind=Engagement.Kind.OPEN)),
        machine_clicks=Count("pk", filter=Q(kind=Engagement.Kind.CLICK)),
    )
    skipped = (
        messages.filter(status=MessageStatus.SKIPPED)
        .values("error")
        .annotate(count=Count("pk"))
        .order_by("-count", "error")
    )
    unsubscribes = Unsubscription.objects.filter(message__campaign=campaign).count()
    return CampaignStats(
        **counts,
        **delivery,
        **machines,
        unsubscribes=unsubscribes,
        skipped_by_reason=[(row["error"], row["count"]) for row in skipped],
    )


def campaign_has_held_out(campaign: Campaign) -> bool:
    return Message.objects.filter(campaign=campaign, status=MessageStatus.HELD_OUT).exists()
