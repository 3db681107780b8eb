"""A person's data, found by their address: exported as one JSON document, or erased
everywhere (docs/security.md, "Personal data: export and erasure").

The person is the address, not a contact row: every contact with it at any account, the
leads with it, and what hangs off them (answers and their history, invitations, messages
with their opens, clicks, provider events and rendered copies in the outbox, events,
unsubscribes, drips, referrals), the suppression entries of the address and the Django
admin history naming them. Addresses match by the suppression list's own rule
(campaigns.deliverability.with_address).

Erasure keeps three things, none naming the person, so that every period's metrics are
unchanged:
- their answers, anonymised (score, kind, survey, account and dates stay; comment, history,
  external id and contact link go);
- their sent emails, anonymised (campaign, account, dates, status, opens, clicks, provider
  events and unsubscribes stay; contact, address, reason, error, user agents and provider
  ids go, and each gets a new public id, so that its old links lead nowhere), with the
  invitations they carried;
- the hash of the address on the suppression list for every category, so that no later
  import or campaign emails it again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import quote

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, Model, Q, QuerySet, Value
from django.db.models.functions import Concat, Trim
from django.utils import timezone

from accounts.models import Contact, Lead
from campaigns.authored import TEST_EMAIL
from campaigns.deliverability import with_address, without_address
from campaigns.models import (
    DeliveryEvent,
    Engagement,
    Message,
    MessageStatus,
    Referral,
    Suppression,
    TrackedLink,
    Unsubscription,
    address_hash,
    normalized_address,
)
from lifecycle.outbox.models import OutboxEmail
from surveys.models import (
    FollowUpComment,
    Invitation,
    Response,
    ResponseRevision,
    WebhookDelivery,
)

logger = logging.getLogger(__name__)

MESSAGE_ID = "Message-ID"  # the header the pipeline stores as Message.message_id


@dataclass(frozen=True)
class Person:
    """Everything that names one address, as querysets. Which contacts and leads have the
    address is worked out once, when first asked (with_address reads the candidates)."""

    address: str

    @cached_property
    def contacts(self) -> QuerySet[Contact]:
        return with_address(Contact.objects.all(), self.address)

    @cached_property
    def leads(self) -> QuerySet[Lead]:
        return with_address(Lead.objects.all(), self.address)

    @property
    def answers(self) -> QuerySet[Response]:
        return Response.objects.filter(contact__in=self.contacts.values("pk"))

    @property
    def suppressions(self) -> QuerySet[Suppression]:
        return Suppression.objects.filter(address_hash=address_hash(self.address))

    @property
    def outbox_copies(self) -> QuerySet[OutboxEmail]:
        """The outbox's rendered emails of the person: those to the address or naming it,
        their messages' (by Message-ID), owner alerts about their answers and admins'
        tests written as one of their contacts."""
        return OutboxEmail.objects.filter(
            naming(self.address, "to", "cc", "bcc", "subject", "body_text", "body_html", "raw")
            | Q(**{f"headers__{MESSAGE_ID}__in": list(self._message_ids())})
        )

    @property
    def log_entries(self) -> QuerySet[LogEntry]:
        """Django admin's history of their contacts and leads, any entry naming the address,
        and a contact's entries under their name (a contact of theirs deleted earlier)
        when nobody else has that name."""
        contact_type = ContentType.objects.get_for_model(Contact)
        by_object = Q(pk__in=[])
        for model, rows in ((Contact, self.contacts), (Lead, self.leads)):
            ids = [str(pk) for pk in rows.values_list("pk", flat=True)]
            if ids:
                content_type = ContentType.objects.get_for_model(model)
                by_object |= Q(content_type=content_type, object_id__in=ids)
        names = {contact.full_name for contact in self.contacts.only("first_name", "last_name")}
        for name in names - {""}:
            if not self._others_named(name):
                by_object |= Q(content_type=contact_type, object_repr=name)
        return LogEntry.objects.filter(
            by_object | naming(self.address, "object_repr", "change_message")
        )

    def _others_named(self, name: str) -> bool:
        """Another contact has the full name `name` (whose history must stay)."""
        full_name = Concat("first_name", Value(" "), "last_name", output_field=CharField())
        others = Contact.objects.exclude(pk__in=self.contacts.values("pk"))
        return others.alias(full=Trim(full_name)).filter(full=name).exists()

    def holds_anything(self) -> bool:
        return any(
            rows.exists()
            for rows in (
                self.contacts,
                self.leads,
                self.suppressions,
                self.outbox_copies,
                self.log_entries,
            )
        )

    def _message_ids(self) -> Iterable[str]:
        contact_ids = list(self.contacts.values_list("pk", flat=True))
        tests = Q(pk__in=[])
        for pk in contact_ids:  # "test:<language>:<contact id>:<random>" (campaigns.authored)
            tests |= Q(email=TEST_EMAIL, occurrence__regex=rf"^test:[^:]*:{pk}:")
        about = (
            Q(contact_id__in=contact_ids) | Q(alerted_response__contact_id__in=contact_ids) | tests
        )
        return (
            Message.objects.filter(about)
            .exclude(message_id="")
            .values_list("message_id", flat=True)
            .distinct()
        )


def naming(address: str, *fields: str) -> Q:
    """Rows whose text in any of `fields` holds the address, in any case."""
    found = Q(pk__in=[])
    for field in fields:
        found |= Q(**{f"{field}__icontains": address})
    return found


def person(address: str) -> Person:
    return Person(normalized_address(address))


# --- Export ---------------------------------------------------------------------------------


def values(row: Model | None, *fields: str) -> dict[str, Any] | None:
    """The named fields of a row (its id first) as JSON-ready values; None for no row."""
    if row is None:
        return None
    return {"id": row.pk, **{field: getattr(row, field) for field in fields}}


def export(address: str) -> dict[str, Any] | None:
    """Everything held about the person with `address`; None when nothing is."""
    found = person(address)
    if not found.holds_anything():
        return None
    contacts = (
        found.contacts.select_related("account", "referral_code")
        .prefetch_related(
            "responses__survey",
            "responses__revisions",
            "responses__follow_up__comments__author",
            "invitations__survey",
            "invitations__message",
            "messages__campaign",
            "messages__engagements__link",
            "messages__delivery_events",
            "events",
            "unsubscriptions__message",
            "drip_enrollments__drip",
            "referrals__lead",
        )
        .order_by("pk")
    )
    return {
        "address": found.address,
        "exported_at": timezone.now(),
        "contacts": [_contact(contact) for contact in contacts],
        "leads": [_lead(lead) for lead in found.leads.prefetch_related("referrals__referrer")],
        "suppressions": [
            values(row, "category", "reason", "description", "created_at")
            for row in found.suppressions.order_by("created_at", "pk")
        ],
        "outbox_copies": [
            {
                **values(
                    copy,
                    "created_at",
                    "from_email",
                    "to",
                    "cc",
                    "subject",
                    "body_text",
                    "body_html",
                ),
                "message_id": copy.headers.get(MESSAGE_ID, ""),
            }
            for copy in found.outbox_copies.order_by("created_at", "pk")
        ],
        "admin_history": [
            {
                **values(entry, "action_time", "object_repr", "change_message"),
                "user": entry.user.get_username(),
            }
            for entry in found.log_entries.select_related("user").order_by("action_time")
        ],
    }


def _contact(contact: Contact) -> dict[str, Any]:
    account = contact.account
    code = getattr(contact, "referral_code", None)
    return {
        **values(
            contact,
            "external_id",
            "first_name",
            "last_name",
            "email",
            "birthday",
            "language",
            "timezone",
            "is_primary",
            "email_consent",
            "unsubscribed_surveys_at",
            "unsubscribed_lifecycle_at",
            "unsubscribed_marketing_at",
            "created_at",
            "updated_at",
        ),
        "account": values(account, "name", "external_id"),
        "answers": [_answer(answer) for answer in contact.responses.all()],
        "invitations": [
            {
                **values(invitation, "language", "created_at", "expires_at"),
                "survey": invitation.survey.slug,
                "message": invitation.message.public_id if invitation.message else None,
            }
            for invitation in contact.invitations.all()
        ],
        "messages": [_message(message) for message in contact.messages.all()],
        "events": [
            values(event, "type", "occurred_at", "external_id", "data", "created_at")
            for event in contact.events.all()
        ],
        "unsubscriptions": [
            {
                **values(row, "category", "source", "created_at"),
                "message": row.message.public_id if row.message else None,
            }
            for row in contact.unsubscriptions.all()
        ],
        "drip_enrollments": [
            {**values(row, "entered_at", "exited_at", "exit_reason"), "drip": row.drip.slug}
            for row in contact.drip_enrollments.all()
        ],
        "referral_code": code.code if code else None,
        "referrals_made": [_referral(referral) for referral in contact.referrals.all()],
    }


def _answer(answer: Response) -> dict[str, Any]:
    follow_up = getattr(answer, "follow_up", None)
    return {
        **values(
            answer,
            "kind",
            "score",
            "comment",
            "language",
            "source",
            "submitted_at",
            "updated_at",
            "external_id",
        ),
        "survey": answer.survey.slug,
        "revisions": [
            values(revision, "score", "comment", "recorded_at")
            for revision in answer.revisions.all()
        ],
        "follow_up": None
        if follow_up is None
        else {
            **values(follow_up, "reasons", "status", "opened_at", "closed_at"),
            "comments": [
                {
                    **values(comment, "body", "created_at"),
                    "author": comment.author.get_username() if comment.author else None,
                }
                for comment in follow_up.comments.all()
            ],
        },
    }


def _message(message: Message) -> dict[str, Any]:
    return {
        **values(
            message,
            "public_id",
            "email",
            "occurrence",
            "reason",
            "due_at",
            "status",
            "sent_at",
            "error",
            "message_id",
        ),
        "campaign": message.campaign.slug,
        "opens_and_clicks": [
            {
                **values(hit, "kind", "occurred_at", "machine", "machine_reason", "user_agent"),
                "url": hit.link.url if hit.link else None,
            }
            for hit in message.engagements.all()
        ],
        "delivery_events": [
            values(event, "kind", "occurred_at", "provider", "description")
            for event in message.delivery_events.all()
        ],
    }


def _referral(referral: Referral) -> dict[str, Any]:
    lead = referral.lead
    return {
        **values(referral, "status", "reward", "flags", "consented_at", "created_at"),
        "lead": values(lead, "email", "first_name", "last_name", "company"),
    }


def _lead(lead: Lead) -> dict[str, Any]:
    return {
        **values(
            lead,
            "email",
            "first_name",
            "last_name",
            "company",
            "source",
            "status",
            "language",
            "created_at",
        ),
        "referred_by": [
            {
                **values(
                    referral, "status", "reward", "consent_text", "consented_at", "created_at"
                ),
                "referrer": referral.referrer_id,
            }
            for referral in lead.referrals.all()
        ],
    }


# --- Erasure --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Erased:
    """What an erasure removed, counted for the operator (it names nobody)."""

    contacts: int
    accounts: int
    messages: int  # erased: every message but the sent ones
    messages_kept: int  # sent, kept anonymised
    outbox_copies: int
    leads: int
    admin_history: int
    answers_kept: int


def summary(address: str) -> Erased | None:
    """What `erase` would remove, for its confirmation; None when nothing names the address."""
    found = person(address)
    if not found.holds_anything():
        return None
    messages = Message.objects.filter(contact__in=found.contacts.values("pk"))
    sent = messages.filter(status=MessageStatus.SENT).count()
    return Erased(
        contacts=found.contacts.count(),
        accounts=found.contacts.values("account").distinct().count(),
        messages=messages.count() - sent,
        messages_kept=sent,
        outbox_copies=found.outbox_copies.count(),
        leads=found.leads.count(),
        admin_history=found.log_entries.count(),
        answers_kept=found.answers.count(),
    )


def erase(address: str) -> Erased | None:
    """Erase the person with `address` everywhere, in one transaction; None when nothing
    names the address (then nothing changes)."""
    counted = summary(address)
    if counted is None:
        return None
    found = person(address)
    with transaction.atomic():
        contact_ids = list(found.contacts.values_list("pk", flat=True))
        answer_ids = list(found.answers.values_list("pk", flat=True))
        # First what is found through the contacts, before they go.
        found.outbox_copies.delete()
        found.log_entries.delete()
        ResponseRevision.objects.filter(response_id__in=answer_ids).delete()
        FollowUpComment.objects.filter(follow_up__response_id__in=answer_ids).delete()
        # The answers stay for the metrics (kind, score, survey, account, dates), naming
        # nobody; update() leaves updated_at as it was.
        Response.objects.filter(pk__in=answer_ids).update(
            contact=None, comment="", external_id=None
        )
        # A receiver's error answer may echo the payload, which named them.
        WebhookDelivery.objects.filter(response_id__in=answer_ids).update(last_error="")
        _anonymise_sent_emails(contact_ids, found.address)
        found.leads.delete()  # and the referrals naming them as the lead
        # Their other messages (with opens, clicks, links and provider events), other
        # invitations, events, other unsubscribes, drips, referral code and the referrals
        # they made go along (each points at the contact, or at its messages, with
        # on_delete=CASCADE).
        Contact.objects.filter(pk__in=contact_ids).delete()
        # What stays of the address: its hash, suppressed in every category.
        hashed = address_hash(found.address)
        Suppression.objects.filter(address_hash=hashed).exclude(
            category=Suppression.EVERY_CATEGORY
        ).delete()
        Suppression.objects.update_or_create(
            address_hash=hashed,
            category=Suppression.EVERY_CATEGORY,
            defaults={"reason": Suppression.Reason.ERASURE, "description": "", "message": None},
        )
    logger.info(
        "Erased the personal data of address %s…: %d contacts, %d messages, %d outbox copies",
        hashed[:12],
        counted.contacts,
        counted.messages,
        counted.outbox_copies,
    )
    return counted


def _anonymise_sent_emails(contact_ids: list[int], address: str) -> None:
    """Detach the contacts' sent emails, with the invitations and unsubscribes they carried,
    from the contacts, keeping what the metrics count and nothing that names the person."""
    sent = Message.objects.filter(contact_id__in=contact_ids, status=MessageStatus.SENT)
    sent_ids = list(sent.values_list("pk", flat=True))
    if not sent_ids:
        return
    # The contacts' accounts, one update each (a person has a handful of contacts).
    by_account: dict[int, list[int]] = {}
    for contact_id, account_id in Contact.objects.filter(pk__in=contact_ids).values_list(
        "pk", "account_id"
    ):
        by_account.setdefault(account_id, []).append(contact_id)
    for account_id, contacts in by_account.items():
        sent.filter(contact_id__in=contacts).update(
            contact=None,
            erased_contact_account_id=account_id,
            reason="",  # "Birthday 02-29 on 02-28" names the person's birthday
            error="",  # a mail server's refusal quotes the address
            message_id="",  # nothing a provider reports later finds them again
        )
    # New public ids: the old ones are in the signed links of the emails (tracking pixel,
    # clicks, unsubscribe), which must lead nowhere now.
    Message.objects.bulk_update(
        [Message(pk=pk, public_id=uuid.uuid4()) for pk in sent_ids], ["public_id"]
    )
    Engagement.objects.filter(message_id__in=sent_ids).update(user_agent="")
    # A handful of rows each: every one is rewritten in Python, which finds the address in
    # any case (SQLite's LIKE folds ASCII only) and URL-encoded in a link too.
    links = list(TrackedLink.objects.filter(message_id__in=sent_ids))
    for link in links:
        link.public_id = uuid.uuid4()  # the click links already sent lead nowhere
        link.url = without_address(without_address(link.url, quote(address)), address)
    TrackedLink.objects.bulk_update(links, ["public_id", "url"])
    events = list(DeliveryEvent.objects.filter(message_id__in=sent_ids))
    for event in events:
        event.description = without_address(event.description, address)
        # The provider's id resolves to the address at the provider (like the Message-ID);
        # a NULL never collides with the provider's unique ids.
        event.event_id = None
    DeliveryEvent.objects.bulk_update(events, ["description", "event_id"])
    Unsubscription.objects.filter(contact_id__in=contact_ids, message_id__in=sent_ids).update(
        contact=None
    )
    invitations = Invitation.objects.filter(contact_id__in=contact_ids, message_id__in=sent_ids)
    Invitation.objects.bulk_update(
        [
            Invitation(pk=pk, contact=None, public_id=uuid.uuid4())
            for pk in invitations.values_list("pk", flat=True)
        ],
        ["contact", "public_id"],
    )


def erase_people_of(contacts: QuerySet[Contact]) -> int:
    """Erase the person of each contact (every contact with the same address goes too);
    returns how many people were erased. The admin action's work."""
    addresses = {normalized_address(email) for email in contacts.values_list("email", flat=True)}
    return sum(erase(address) is not None for address in sorted(addresses))
