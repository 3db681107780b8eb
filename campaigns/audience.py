"""Who a campaign may email: consent, the category switch, and the campaign's own rules."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from accounts.models import Account, Contact
from campaigns.extensions import content_of
from campaigns.models import Campaign, Category

UNSUBSCRIBED_FIELD = {
    Category.SURVEYS: "unsubscribed_surveys_at",
    Category.LIFECYCLE: "unsubscribed_lifecycle_at",
    Category.MARKETING: "unsubscribed_marketing_at",
}


def reachable(campaign: Campaign, contacts: QuerySet[Contact] | None = None) -> QuerySet:
    contacts = Contact.objects.all() if contacts is None else contacts
    field = UNSUBSCRIBED_FIELD[Category(campaign.category)]
    return contacts.filter(email_consent=True, **{f"{field}__isnull": True})


def eligible(campaign: Campaign, contacts: QuerySet[Contact], *, now: dt.datetime) -> QuerySet:
    """`contacts` narrowed to those `campaign` may email now."""
    contacts = reachable(campaign, contacts)
    found = content_of(campaign)
    return found[0].audience(campaign, contacts, now) if found else contacts


def rolling_audience(campaign: Campaign, *, now: dt.datetime, day: dt.date) -> QuerySet:
    """Contacts of accounts that are customers on `day`, as far as the campaign may email."""
    customers = Account.objects.customers_on(day).values("pk")
    return eligible(campaign, Contact.objects.filter(account__in=customers), now=now)
