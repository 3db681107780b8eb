"""Who a campaign may email: consent, the category switch, the suppression list, its saved
audience, and its content's own rules (docs/campaigns.md)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Account, Contact
from campaigns.deliverability import without_suppressed
from campaigns.extensions import CONTACT_CRITERIA, content_of
from campaigns.models import Audience, Campaign, Category

UNSUBSCRIBED_FIELD = {
    Category.SURVEYS: "unsubscribed_surveys_at",
    Category.LIFECYCLE: "unsubscribed_lifecycle_at",
    Category.MARKETING: "unsubscribed_marketing_at",
}


def reachable(campaign: Campaign, contacts: QuerySet[Contact] | None = None) -> QuerySet:
    """Contacts with consent, not unsubscribed from the campaign's category, and whose
    address the suppression list lets this category reach (whichever contact unsubscribed)."""
    contacts = Contact.objects.all() if contacts is None else contacts
    field = UNSUBSCRIBED_FIELD[Category(campaign.category)]
    subscribed = contacts.filter(email_consent=True, **{f"{field}__isnull": True})
    return without_suppressed(subscribed, campaign.category)


def matching_accounts(audience: Audience | None, day: dt.date) -> QuerySet[Account]:
    """The accounts of `audience` on `day`; without one, the customers of the day."""
    if audience is None:
        return Account.objects.customers_on(day)
    accounts = Account.objects.with_status(day).filter(status=audience.status)
    if audience.industry:
        accounts = accounts.filter(industry__iexact=audience.industry)
    if audience.employee_band:
        accounts = accounts.in_employee_band(audience.employee_band)
    if audience.mrr_band:
        accounts = accounts.in_mrr_band(audience.mrr_band)
    if audience.country:
        accounts = accounts.filter(country__iexact=audience.country)
    if audience.owner_id:
        accounts = accounts.filter(owner_id=audience.owner_id)
    tag_ids = [tag.pk for tag in audience.tags.all()]
    if tag_ids:
        accounts = accounts.filter(pk__in=Account.objects.filter(tags__in=tag_ids).values("pk"))
    if audience.customer_since_from:
        accounts = accounts.filter(first_customer_day__gte=audience.customer_since_from)
    if audience.customer_since_to:
        accounts = accounts.filter(first_customer_day__lte=audience.customer_since_to)
    return accounts


def in_audience(audience: Audience, contacts: QuerySet[Contact], day: dt.date) -> QuerySet:
    contacts = contacts.filter(account__in=matching_accounts(audience, day).values("pk"))
    if audience.language:
        # A contact's language is an IETF tag: "es" matches es, es-MX, es-419...
        contacts = contacts.filter(
            Q(language__iexact=audience.language) | Q(language__istartswith=f"{audience.language}-")
        )
    if audience.nps_band:
        contacts = CONTACT_CRITERIA["nps_band"](contacts, audience.nps_band)
    return contacts


def eligible(campaign: Campaign, contacts: QuerySet[Contact], *, now: dt.datetime) -> QuerySet:
    """`contacts` narrowed to those `campaign` may email now."""
    contacts = reachable(campaign, contacts)
    if campaign.audience_id is not None:
        contacts = in_audience(campaign.audience, contacts, timezone.localdate(now))
    found = content_of(campaign)
    return found[0].audience(campaign, contacts, now) if found else contacts


def rolling_audience(campaign: Campaign, *, now: dt.datetime, day: dt.date) -> QuerySet:
    """The contacts the campaign may email on `day`: its audience's, or every customer's."""
    if campaign.audience_id is None:
        customers = Account.objects.customers_on(day).values("pk")
        return eligible(campaign, Contact.objects.filter(account__in=customers), now=now)
    return eligible(campaign, Contact.objects.all(), now=now)


def audience_size(campaign: Campaign, *, now: dt.datetime) -> int:
    """How many contacts the campaign may email today (shown in admin before activating)."""
    return rolling_audience(campaign, now=now, day=timezone.localdate(now)).count()
