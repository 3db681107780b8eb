"""Campaigns on the account page: every email its contacts got, and why (registered with
accounts in CampaignsConfig.ready())."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef

from accounts.extensions import AccountPanel
from accounts.models import Account
from campaigns.models import Engagement, Message, Suppression, address_hash

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
    return {"messages": list(messages[:SHOWN]), "shown": SHOWN, "suppressed": suppressed(account)}


def suppressed(account: Account) -> list[dict[str, Any]]:
    """The account's contacts whose address the suppression list stops, with each entry
    ("Unsubscribed (Marketing)"): whichever contact it came from, in two queries."""
    contacts = list(account.contacts.all())
    hashes = {contact.pk: address_hash(contact.email) for contact in contacts}
    entries: dict[str, list[Suppression]] = {}
    for entry in Suppression.objects.filter(address_hash__in=set(hashes.values())).order_by(
        "category", "created_at"
    ):
        entries.setdefault(entry.address_hash, []).append(entry)
    return [
        {"contact": contact, "entries": entries[hashes[contact.pk]]}
        for contact in contacts
        if hashes[contact.pk] in entries
    ]


EMAILS_PANEL = AccountPanel(
    template="campaigns/staff/_account_emails.html",
    permission="campaigns.view_message",
    context=emails,
    order=200,
)
