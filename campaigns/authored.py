"""Campaigns whose email an admin wrote (CampaignContent): rendering for a contact, the
builders of the real email and of the test an admin sends to themselves, and the content
kind registered with campaigns.extensions in CampaignsConfig.ready()."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Account, Contact
from campaigns import content, drips, referrals, tracking
from campaigns.audience import reachable
from campaigns.extensions import Content
from campaigns.message_links import unsubscribe_links
from campaigns.models import Campaign, CampaignContent, Message, Trigger
from campaigns.pipeline import Skip, builder
from campaigns.schedule import local_today
from lifecycle.lib.branding import brand
from lifecycle.lib.dates import whole_years
from lifecycle.lib.emails import compose, language_for

AUTHORED_EMAIL = "campaign"
# Messages about a day in the contact's life, and how late they may still go.
DATE_BOUND = {Trigger.BIRTHDAY, Trigger.ANNIVERSARY, Trigger.WELCOME, Trigger.PROMOTER}
TOO_LATE = dt.timedelta(days=2)
TEST_EMAIL = "campaign-test"
FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def content_for(campaign: Campaign, language: str) -> CampaignContent | None:
    """The campaign's email in `language`, else in English."""
    rows = campaign.contents.filter(language__in=[language, FALLBACK_LANGUAGE])
    found = {row.language: row for row in rows}
    return found.get(language) or found.get(FALLBACK_LANGUAGE)


def contact_values(contact: Contact | None) -> dict[str, Any]:
    """The contact's part of content.VARIABLES (sample values without a contact)."""
    if contact is None:
        return {name: content.SAMPLE[name] for name in content.CONTACT_VARIABLES}
    first_day = (
        Account.objects.with_first_customer_day()
        .filter(pk=contact.account_id)
        .values_list("first_customer_day", flat=True)
        .first()
    )
    return {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "account_name": contact.account.name,
        # Counted on the contact's own date: 09:00 in Auckland is the day before in UTC.
        "years_as_customer": whole_years(first_day, local_today(timezone.now(), contact.timezone))
        if first_day
        else 0,
    }


def render_for(
    campaign: Campaign, language: str, contact: Contact | None, links: dict[str, str]
) -> Rendered | None:
    """The campaign's email as `contact` would get it in `language`; None without content."""
    written = content_for(campaign, language)
    if written is None:
        return None
    return render_written(campaign, written, contact, links)


def render_written(
    campaign: Campaign, written: CampaignContent, contact: Contact | None, links: dict[str, str]
) -> Rendered:
    values = {
        **contact_values(contact),
        "review_url": campaign.review_url or content.SAMPLE["review_url"],
        "referral_url": content.SAMPLE["referral_url"],
        **links,
    }
    parts = (written.subject, written.text_body, written.html_body)
    if contact is not None and any(content.uses(part, "referral_url") for part in parts):
        values["referral_url"] = referrals.referral_url(contact)  # made when first needed
    with translation.override(written.language):
        years = values["years_as_customer"]
        values["years_with_us"] = ngettext("%(count)d year", "%(count)d years", years) % {
            "count": years
        }
        # Every email carries its unsubscribe and preference links, whatever the admin wrote.
        footer = {"links": links, "language": written.language, "brand": brand()}
        return Rendered(
            subject=" ".join(content.render(written.subject, values, html=False).split()),
            text=content.render(written.text_body, values, html=False)
            + render_to_string("emails/campaign-footer.txt", footer),
            html=render_to_string(
                "emails/campaign-body.html",
                {**footer, "body": content.render(written.html_body, values, html=True)},
            ),
        )


def _email(to: str, rendered: Rendered, links: dict[str, str]) -> EmailMultiAlternatives:
    return compose(
        to,
        rendered.subject,
        rendered.text,
        rendered.html,
        unsubscribe_url=links["unsubscribe_url"],
    )


@builder(AUTHORED_EMAIL)
def build_authored(message: Message) -> EmailMultiAlternatives:
    if not reachable(message.campaign).filter(pk=message.contact_id).exists():
        raise Skip("The contact has unsubscribed or withdrawn consent.")
    missing = missing_links(message.campaign)
    if missing:
        raise Skip(missing)
    now = timezone.now()
    if message.campaign.trigger in DATE_BOUND and now - message.due_at > TOO_LATE:
        # Held by a pause or a long outage: a birthday wish weeks late is worse than none.
        raise Skip(f"Too late: it was due {message.due_at:%Y-%m-%d %H:%M} UTC.")
    if message.campaign.trigger == Trigger.DRIP_STEP:
        left = drips.still_in(message, now=now)
        if left:
            raise Skip(f"Left the drip: {left}.")
    links = unsubscribe_links(message)
    campaign = message.campaign
    written = content_for(campaign, language_for(message.contact.language))
    if written is None:
        raise Skip("The campaign has no email content yet.")
    rendered = render_written(campaign, written, message.contact, links)
    # Only the links the content itself writes are tracked (not a URL typed as a name),
    # and never the unsubscribe and preference links.
    sample = render_written(campaign, written, None, links)
    trackable = set(tracking.urls_in(sample.html, sample.text)) - set(links.values())
    html, text = tracking.track(message, rendered.html, rendered.text, trackable=trackable)
    return _email(message.contact.email, Rendered(rendered.subject, text, html), links)


# "test:<language>:<contact id or 0>:<random>": what the admin chose for the test.
def test_occurrence(language: str, contact: Contact | None) -> str:
    return f"test:{language}:{contact.pk if contact else 0}:{uuid.uuid4().hex[:12]}"


def queue_test(
    campaign: Campaign, *, to: str, language: str, contact: Contact | None, now: dt.datetime
) -> Message:
    """The campaign's email, as `contact` would get it, sent to `to` through the pipeline."""
    return Message.objects.create(
        campaign=campaign,
        recipient=to,
        email=TEST_EMAIL,
        occurrence=test_occurrence(language, contact),
        due_at=now,
    )


@builder(TEST_EMAIL)
def build_test(message: Message) -> EmailMultiAlternatives:
    _test, language, contact_id, _random = message.occurrence.split(":")
    contact = Contact.objects.select_related("account").filter(pk=int(contact_id)).first()
    links = unsubscribe_links(message)  # they lead nowhere: no contact owns a test
    rendered = render_for(message.campaign, language, contact, links)
    if rendered is None:
        raise Skip("The campaign has no email content yet.")
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Test] %(subject)s") % {"subject": rendered.subject}
    rendered = Rendered(subject, rendered.text, rendered.html)
    return _email(message.recipient, rendered, links)


def asks_for_review(campaign: Campaign) -> bool:
    """Its email links to its public review page (a review request)."""
    return any(
        content.uses(part, "review_url")
        for written in campaign.contents.all()
        for part in (written.subject, written.text_body, written.html_body)
    )


def missing_links(campaign: Campaign) -> str:
    """A campaign whose content links to its review page cannot send without one."""
    if not campaign.review_url and asks_for_review(campaign):
        return _("Set the campaign's review page: its email links to it.")
    return ""


def email_for(campaign: Campaign) -> str | None:
    return AUTHORED_EMAIL if campaign.contents.exists() else None


def everyone_reachable(campaign: Campaign, contacts: QuerySet, now: dt.datetime) -> QuerySet:
    return contacts


def nothing_to_plan(campaign: Campaign, now: dt.datetime) -> int:
    return 0


AUTHORED = Content(
    email_for=email_for, audience=everyone_reachable, plan=nothing_to_plan, missing=missing_links
)
