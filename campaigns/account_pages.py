"""Campaigns on the account page: every email its contacts got, and why (registered with
accounts in CampaignsConfig.ready())."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef

from accounts.extensions import AccountPanel
from accounts.models import Account
from campaigns.models import Engagement, Message

SHOWN = 50


def emails(account: Account, today: dt.date) -> dict[str, Any]:
    """The account's latest messages, in one query, with whether a person opened or clicked."""
    human = Engagement.objects.filter(message=OuterRef("pk"), machine=False)
    messages = (
        Message.objects.filter(contact__account=account)
        .select_related("campaign", "contact")
        .annotate(
            opened=Exists(human),
            clicked=Exists(human.filter(kind=Engagement.Kind.CLICK)),
        )
        .order_by("-due_at", "-pk")
    )
    return {"messages": list(messages[:SHOWN]), "shown": SHOWN}


EMAILS_PANEL = AccountPanel(
    template="campaigns/staff/_account_emails.html",
    permission="campaigns.view_message",
    context=emails,
    order=200,
)
