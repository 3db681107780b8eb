"""The suppression list by address and category (issue 13, item 3): an unsubscribe, a bounce
or a staff block belongs to the person's address, not to the contact row that carried it,
so the same address at another account, a deleted and re-imported contact and a message
planned before it all stay unreachable. The list keeps only the hash of the address."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Contact
from campaigns import pipeline
from campaigns.audience import reachable
from campaigns.models import (
    Campaign,
    Category,
    Message,
    MessageStatus,
    Suppression,
    address_hash,
)
from campaigns.services import queue_now
from lifecycle.lib import links
from lifecycle.outbox.models import OutboxEmail
from tests.database import database_dump
from tests.factories import CustomerContactFactory, MessageFactory, campaign, written_campaign
from tests.migrations import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db

ADDRESS = "ana.lopez@example.com"
ONE_CLICK = "List-Unsubscribe=One-Click"
FORM = "application/x-www-form-urlencoded"
WEBHOOK_SECRET = "postmark:s3cret-webhook-password"


@pytest.fixture(autouse=True)
def the_outbox(settings):
    """The embedded default: every email sent is a row of the local outbox."""
    settings.EMAIL_BACKEND = "lifecycle.outbox.backends.OutboxBackend"


@pytest.fixture
def two_accounts():
    """The same person at two customer accounts, spelled differently."""
    return (
        CustomerContactFactory(email="Ana.Lopez@Example.com"),
        CustomerContactFactory(email=ADDRESS.upper()),
    )


def broadcast(category: str = Category.MARKETING) -> Campaign:
    """A campaign written in admin, sent once to every customer contact when asked."""
    return written_campaign(f"news-{category}", category=category)


def planned_to(slug_or_campaign, contacts) -> set[int]:
    """Which of `contacts` the campaign plans a new message for, now."""
    chosen = campaign(slug_or_campaign) if isinstance(slug_or_campaign, str) else slug_or_campaign
    ids = {contact.pk for contact in contacts}
    mine = Message.objects.filter(campaign=chosen, contact__in=ids)
    before = set(mine.values_list("pk", flat=True))
    queue_now(chosen, now=timezone.now())
    return set(mine.exclude(pk__in=before).values_list("contact", flat=True))


def one_click(client, message: Message):
    token = links.sign(links.UNSUBSCRIBE, message.public_id)
    return client.post(reverse("campaigns:unsubscribe", args=[token]), ONE_CLICK, content_type=FORM)


def preferences(client, message: Message, *checked: str):
    token = links.sign(links.PREFERENCES, message.public_id)
    return client.post(reverse("campaigns:preferences", args=[token]), dict.fromkeys(checked, "on"))


def marketing_message(contact: Contact) -> Message:
    return MessageFactory(campaign=broadcast(), contact=contact, email="campaign")


def test_a_one_click_unsubscribe_at_one_account_stops_the_other_in_that_category_only(
    client, two_accounts
):
    first, second = two_accounts
    survey = campaign("nps-quarterly")

    assert one_click(client, marketing_message(first)).status_code == 200

    entry = Suppression.objects.get()
    assert (entry.address_hash, entry.category, entry.reason) == (
        address_hash(ADDRESS),
        Category.MARKETING,
        Suppression.Reason.UNSUBSCRIBE,
    )
    # The other account's contact is not planned for marketing, and still is for surveys.
    news = Campaign.objects.get(category=Category.MARKETING)
    assert planned_to(news, two_accounts) == set()
    assert planned_to(survey, two_accounts) == {first.pk, second.pk}
    assert not reachable(news).filter(pk=second.pk).exists()
    # Both rows say so: the switch is set on every contact with the address.
    second.refresh_from_db()
    assert second.unsubscribed_marketing_at is not None
    assert second.unsubscribed_surveys_at is None


def test_a_hard_bounce_stops_every_category_for_every_contact_with_the_address(
    client, settings, two_accounts
):
    settings.ANYMAIL = {"WEBHOOK_SECRET": WEBHOOK_SECRET}
    first, _second = two_accounts
    queue_now(campaign("nps-quarterly"), now=timezone.now())
    sent = Message.objects.get(contact=first)
    pipeline.send_chunk([sent.pk])
    bounce = {
        "RecordType": "Bounce",
        "ID": 1,
        "Type": "HardBounce",
        "MessageID": "pm-1",
        "Metadata": {"lifecycle_message": str(sent.public_id)},
        "Description": f"550 5.1.1 <{first.email}>: no such user",
        "Email": first.email,
        "BouncedAt": "2026-12-01T10:00:00Z",
    }
    auth = "Basic " + base64.b64encode(WEBHOOK_SECRET.encode()).decode()
    page = client.post(
        "/anymail/postmark/tracking/",
        json.dumps(bounce),
        content_type="application/json",
        HTTP_AUTHORIZATION=auth,
    )

    assert page.status_code == 200
    entry = Suppression.objects.get()
    assert (entry.category, entry.reason) == ("", Suppression.Reason.BOUNCE)
    assert entry.description == "550 5.1.1 <<address>>: no such user"  # the address left out
    Message.objects.all().delete()
    for category in Category:
        assert planned_to(broadcast(category), two_accounts) == set()
    assert planned_to("nps-quarterly", two_accounts) == set()


def test_deleting_the_contact_and_importing_the_address_again_keeps_it_suppressed(
    client, marketer_client, tmp_path: Path, two_accounts
):
    first, second = two_accounts
    one_click(client, marketing_message(first))
    account = first.account
    Contact.objects.filter(pk__in=[first.pk, second.pk]).delete()

    contacts_csv = tmp_path / "contacts.csv"
    contacts_csv.write_text(
        "external_id,account_external_id,first_name,last_name,email\n"
        f"back-1,{account.external_id},Ana,López,{ADDRESS.title()}\n",
        encoding="utf-8",
    )
    call_command("import_crm", contacts=str(contacts_csv), stdout=io.StringIO())

    again = Contact.objects.get(external_id="back-1")  # CRM data: imported all the same
    assert again.unsubscribed_marketing_at is None  # a new row...
    news = Campaign.objects.get(category=Category.MARKETING)
    assert planned_to(news, [again]) == set()  # ...that the address's entry still stops
    assert planned_to("nps-quarterly", [again]) == {again.pk}
    # The account page says why it gets no marketing email.
    page = marketer_client.get(account.get_absolute_url())
    assert "Suppressed addresses" in page.text
    assert f"({again.email}): Unsubscribed (Marketing)" in page.text


def test_resubscribing_lifts_only_that_categorys_unsubscribe_never_a_bounce(client, two_accounts):
    first, second = two_accounts
    message = marketing_message(first)
    preferences(client, message, "surveys")  # unsubscribes lifecycle and marketing
    assert set(Suppression.objects.values_list("category", flat=True)) == {
        Category.LIFECYCLE,
        Category.MARKETING,
    }

    preferences(client, message, "surveys", "marketing")

    assert list(Suppression.objects.values_list("category", flat=True)) == [Category.LIFECYCLE]
    second.refresh_from_db()
    assert second.unsubscribed_marketing_at is None  # lifted on every row with the address
    assert second.unsubscribed_lifecycle_at is not None
    assert planned_to(Campaign.objects.get(category=Category.MARKETING), two_accounts) == {
        first.pk,
        second.pk,
    }

    # A bounce stops everything, and no box on the preference page lifts it.
    Suppression.objects.create(address_hash=address_hash(ADDRESS), reason="bounce")
    preferences(client, message, "surveys", "lifecycle", "marketing")

    assert dict(Suppression.objects.values_list("category", "reason")) == {"": "bounce"}
    assert not reachable(campaign("nps-quarterly")).filter(pk__in=[first.pk, second.pk]).exists()
    token = links.sign(links.PREFERENCES, message.public_id)
    page = client.get(reverse("campaigns:preferences", args=[token]))
    assert page.text.count('type="checkbox"') == 3
    assert not re.search(r"<input[^>]*\bchecked\b", page.text)  # what the list says


def test_a_message_planned_before_the_unsubscribe_is_skipped_when_it_is_due(client, two_accounts):
    first, second = two_accounts
    queue_now(campaign("nps-quarterly"), now=timezone.now())
    waiting = Message.objects.get(contact=second, status=MessageStatus.QUEUED)
    # The survey email to the first account's row: unsubscribing from it stops both.
    sent = Message.objects.get(contact=first)
    pipeline.send_chunk([sent.pk])
    assert OutboxEmail.objects.filter(to__iexact=first.email).exists()

    one_click(client, sent)
    pipeline.send_chunk([waiting.pk])

    waiting.refresh_from_db()
    assert waiting.status == MessageStatus.SKIPPED
    assert waiting.error == "Suppressed address: Unsubscribed (Surveys)"
    assert OutboxEmail.objects.filter(to__iexact=ADDRESS).count() == 1  # the first one only


def test_the_pipeline_checks_the_list_just_before_sending(two_accounts):
    first, _second = two_accounts
    news = broadcast()
    queue_now(news, now=timezone.now())
    message = Message.objects.get(contact=first)
    # Written straight to the list (as an import of another tool's list would): the
    # contacts' own switches know nothing of it.
    Suppression.objects.create(
        address_hash=address_hash(ADDRESS), category=Category.MARKETING, reason="unsubscribe"
    )

    pipeline.send_chunk([message.pk])

    message.refresh_from_db()
    assert (message.status, message.error) == (
        MessageStatus.SKIPPED,
        "Suppressed address: Unsubscribed (Marketing)",
    )


def test_a_staff_block_in_admin_keeps_only_the_hash_and_a_search_by_address_finds_it(
    admin_client_, two_accounts
):
    page = admin_client_.post(
        reverse("admin:campaigns_suppression_add"),
        {"address": f"  {ADDRESS.upper()} ", "category": "", "reason": "staff", "description": ""},
    )

    assert page.status_code == 302, page.content
    entry = Suppression.objects.get()
    assert (entry.address_hash, entry.category, entry.reason) == (
        address_hash(ADDRESS),
        "",
        "staff",
    )
    stored = [
        line for line in database_dump().lower().splitlines() if "campaigns_suppression" in line
    ]
    assert stored and not [line for line in stored if ADDRESS in line]
    found = admin_client_.get(reverse("admin:campaigns_suppression_changelist"), {"q": ADDRESS})
    other = admin_client_.get(
        reverse("admin:campaigns_suppression_changelist"), {"q": "someone@else.example"}
    )
    assert entry.address_hash[:16] in found.text
    assert entry.address_hash[:16] not in other.text
    # Blocking the same address twice is refused with a message, not an integrity error.
    again = admin_client_.post(
        reverse("admin:campaigns_suppression_add"),
        {"address": ADDRESS, "category": "", "reason": "staff", "description": ""},
    )
    assert again.status_code == 200
    assert "already suppressed" in again.text
    assert not planned_to("nps-quarterly", two_accounts)


@pytest.fixture
def back_to_latest():
    yield
    migrate_to_latest()


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_hashes_the_list_and_moves_the_contacts_unsubscribes_onto_it(back_to_latest):
    old = migrate([("campaigns", "0020_plain_text_validators")])
    account = old.get_model("accounts", "Account").objects.create(name="Acme")
    other = old.get_model("accounts", "Account").objects.create(name="Beta")
    contacts = old.get_model("accounts", "Contact").objects
    when = timezone.now()
    contacts.create(account=account, email="Ana@Example.com", unsubscribed_marketing_at=when)
    twin = contacts.create(account=other, email="ana@example.com")
    contacts.create(account=account, email="gone@example.com")
    old.get_model("campaigns", "Suppression").objects.create(
        address="gone@example.com", reason="bounce", description="550 <GONE@example.com> no"
    )

    new = migrate([("campaigns", "0021_suppression_by_address_hash")])

    entries = new.get_model("campaigns", "Suppression").objects
    assert set(entries.values_list("address_hash", "category", "reason", "description")) == {
        (address_hash("gone@example.com"), "", "bounce", "550 <<address>> no"),
        (address_hash("ana@example.com"), "marketing", "unsubscribe", ""),
    }
    # The same person's other contact now says so too.
    twin_after = new.get_model("accounts", "Contact").objects.get(pk=twin.pk)
    assert twin_after.unsubscribed_marketing_at == when

    back = migrate([("campaigns", "0020_plain_text_validators")])

    # The old release reads unsubscribes from the contacts, and the list by address.
    assert list(
        back.get_model("campaigns", "Suppression").objects.values_list("address", "reason")
    ) == [("gone@example.com", "bounce")]
