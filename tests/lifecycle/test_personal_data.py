"""A person's data by their address (issue 13, item 4): `export_contact` gives everything held
about them as one JSON document; `erase_contact` and the admin action erase them everywhere,
keeping their answers anonymised (the answer metrics do not change) and the address only as
a suppression hash, so that a re-import of it is never emailed again."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Contact, Lead
from campaigns import authored, pipeline, referrals, subscriptions, tracking
from campaigns.models import (
    Campaign,
    CampaignContent,
    DeliveryEvent,
    Engagement,
    Message,
    MessageStatus,
    Suppression,
    TrackedLink,
    Unsubscription,
    address_hash,
)
from campaigns.selectors import campaign_stats
from campaigns.services import plan, queue_now, record_event, run_schedule
from lifecycle.lib import links
from lifecycle.lib.dates import yearly_date
from lifecycle.outbox.models import OutboxEmail
from surveys.follow_ups import add_comment
from surveys.models import FollowUp, FollowUpComment, Invitation, Response, ResponseRevision
from surveys.services import OWNER_ALERT_EMAIL, record_answer
from tests.database import database_dump
from tests.factories import (
    CustomerContactFactory,
    InvitationFactory,
    MessageFactory,
    ResponseFactory,
    UserFactory,
    campaign,
    survey,
    written_campaign,
)
from tests.migrations import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db

ADDRESS = "anabel.quintanilla@example.com"
FIRST, LAST = "Anabel", "Quintanilla"
CONTROL = "control.person@example.com"
TEST_EMAIL_CAMPAIGN = "product-news"


def news_campaign() -> Campaign:
    return written_campaign(
        TEST_EMAIL_CAMPAIGN,
        subject="News for {{ first_name }}",
        body="Hi {{ first_name }} {{ last_name }}",
    )


@pytest.fixture(autouse=True)
def the_outbox(settings):
    """The embedded default: rendered emails kept in the database (what erasure must find)."""
    settings.EMAIL_BACKEND = "lifecycle.outbox.backends.OutboxBackend"


@pytest.fixture
def person():
    """The same person at two accounts, with what the product keeps about a customer: survey
    emails and their copies, answers changed once, a follow-up with a staff note, the owner's
    alert, an open and a click, a provider's event, a ticket event, an unsubscribe, a
    referral they made and one naming them, an admin's edit and an admin's test as them."""
    now = timezone.now()
    owner = UserFactory(username="owner", email="owner@example.com")
    first = CustomerContactFactory(
        email="Anabel.Quintanilla@Example.com",
        first_name=FIRST,
        last_name=LAST,
        account__name="Acme",
        account__owner=owner,
    )
    second = CustomerContactFactory(
        email=ADDRESS.upper(), first_name=FIRST, last_name=LAST, account__name="Beta"
    )
    other = CustomerContactFactory(email="someone.else@example.com", account=first.account)

    queue_now(campaign("nps-quarterly"), now=now)
    pipeline.send_chunk(list(Message.objects.values_list("pk", flat=True)))
    answer = record_answer(
        Invitation.objects.get(contact=first), score=3, comment="Anabel: too slow", now=now
    )
    record_answer(answer.invitation, score=4, comment="Anabel: still slow", now=now)
    record_answer(Invitation.objects.get(contact=second), score=9, comment="", now=now)
    pipeline.send_chunk(
        Message.objects.filter(email=OWNER_ALERT_EMAIL).values_list("pk", flat=True)
    )
    add_comment(FollowUp.objects.get(), author=owner, body="Called Anabel Quintanilla back")

    survey_email = Message.objects.get(contact=first)
    tracking.record_open(survey_email, at=now, method="GET", user_agent="Mozilla/5.0 Firefox")
    link = TrackedLink.objects.create(message=survey_email, position=0, url="https://example.org/")
    tracking.record_click(link, at=now, method="GET", user_agent="Mozilla/5.0 Firefox")
    DeliveryEvent.objects.create(
        message=survey_email,
        kind="deferred",
        occurred_at=now,
        provider="postmark",
        description=f"451 <{ADDRESS}> try again later",
    )
    record_event(
        type="ticket_closed", contact=first, occurred_at=now, data={"by": f"{FIRST} {LAST}"}
    )
    subscriptions.unsubscribe(second, "marketing", source="staff", now=now)
    referrals.refer(
        referrals.code_for(first),
        referrals.Referred("marta@peer.example", "Marta", "Ruiz", "Peer"),
        client_address="203.0.113.7",
        language="en",
        now=now,
    )
    referrals.refer(
        referrals.code_for(other),
        referrals.Referred(ADDRESS, FIRST, LAST, "Quintanilla Consulting"),
        client_address="203.0.113.8",
        language="en",
        now=now,
    )
    LogEntry.objects.create(
        user=owner,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=str(first.pk),
        object_repr=str(first),
        action_flag=CHANGE,
        change_message=f"Changed the email to {ADDRESS}",
    )
    # An earlier contact of theirs, deleted in admin: its history names them, not the address.
    LogEntry.objects.create(
        user=owner,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id="999999",
        object_repr=f"{FIRST} {LAST}",
        action_flag=DELETION,
    )
    test = authored.queue_test(
        news_campaign(), to=owner.email, language="en", contact=first, now=now
    )
    pipeline.send_chunk([test.pk])
    return SimpleNamespace(first=first, second=second, other=other, owner=owner, now=now)


def export(address: str, *options: str) -> dict | None:
    out = io.StringIO()
    call_command("export_contact", address, *options, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue()) if out.getvalue() else None


def metrics(start: dt.date, end: dt.date, *segment: str) -> dict:
    out = io.StringIO()
    call_command(
        "metrics",
        "--start",
        start.isoformat(),
        "--end",
        end.isoformat(),
        "--json",
        *segment,
        stdout=out,
    )
    return json.loads(out.getvalue())


def erase(address: str, *options: str) -> str:
    out = io.StringIO()
    call_command("erase_contact", address, *options, stdout=out)
    return out.getvalue()


# --- Export ---------------------------------------------------------------------------------


def test_the_export_holds_everything_about_the_person_at_both_accounts(person, tmp_path: Path):
    document = export(ADDRESS.title())

    assert document["address"] == ADDRESS
    contacts = {row["account"]["name"]: row for row in document["contacts"]}
    assert set(contacts) == {"Acme", "Beta"}  # not the other contact of Acme
    acme, beta = contacts["Acme"], contacts["Beta"]
    assert (acme["first_name"], acme["last_name"], acme["email"]) == (
        FIRST,
        LAST,
        person.first.email,
    )
    [answer] = acme["answers"]
    assert (answer["score"], answer["comment"], answer["kind"]) == (4, "Anabel: still slow", "nps")
    assert [revision["score"] for revision in answer["revisions"]] == [3, 4]
    assert [note["body"] for note in answer["follow_up"]["comments"]] == [
        "Called Anabel Quintanilla back"
    ]
    assert answer["follow_up"]["comments"][0]["author"] == "owner"
    # Surveyed already today: the ticket's CSAT waits for survey fatigue.
    assert [message["campaign"] for message in acme["messages"]] == ["nps-quarterly"]
    survey_email = next(m for m in acme["messages"] if m["campaign"] == "nps-quarterly")
    assert survey_email["status"] == "sent"
    assert sorted(hit["kind"] for hit in survey_email["opens_and_clicks"]) == ["click", "open"]
    assert survey_email["delivery_events"][0]["description"].startswith("451 <anabel")
    assert [invitation["survey"] for invitation in acme["invitations"]] == ["nps"]
    assert acme["events"][0]["type"] == "ticket_closed"
    assert acme["events"][0]["data"] == {"by": f"{FIRST} {LAST}"}
    assert [lead["lead"]["email"] for lead in acme["referrals_made"]] == ["marta@peer.example"]
    assert acme["referral_code"]
    assert [row["category"] for row in beta["unsubscriptions"]] == ["marketing"]
    assert beta["answers"][0]["score"] == 9
    [lead] = document["leads"]
    assert (lead["email"], lead["company"]) == (ADDRESS, "Quintanilla Consulting")
    assert [referral["referrer"] for referral in lead["referred_by"]] == [person.other.pk]
    assert [(row["category"], row["reason"]) for row in document["suppressions"]] == [
        ("marketing", "unsubscribe")
    ]
    copies = document["outbox_copies"]
    # The two survey emails, the owner's alert about the answer, the admin's test as them.
    assert len(copies) == 4
    assert any(FIRST in copy["body_text"] and copy["to"] == "owner@example.com" for copy in copies)
    assert all(copy["message_id"] for copy in copies)
    assert [entry["object_repr"] for entry in document["admin_history"]] == [f"{FIRST} {LAST}"] * 2
    assert "someone.else@example.com" not in json.dumps(document)

    target = tmp_path / "anabel.json"
    assert export(ADDRESS, "--output", str(target)) is None  # nothing on stdout
    written = json.loads(target.read_text(encoding="utf-8"))
    assert written["contacts"] == document["contacts"]


def test_exporting_an_address_nobody_has_exits_1_with_a_message(person):
    with pytest.raises(CommandError, match=r"Nothing is held about nobody@example\.com") as error:
        export("nobody@example.com")

    assert error.value.returncode == 1


# --- Erasure --------------------------------------------------------------------------------


def test_erasure_leaves_the_address_and_names_nowhere_and_every_metric_unchanged(person, client):
    today = timezone.localdate()
    start, end = today.replace(day=1), today + dt.timedelta(days=1)
    # One more thing the metrics count: a one-click unsubscribe from the second's survey email.
    second_email = Message.objects.get(contact=person.second)
    subscriptions.unsubscribe(
        person.second, "surveys", source="one_click", message=second_email, now=person.now
    )
    # And a person's click, well after the send (the fixture's are a scanner's, too fast).
    first_email = Message.objects.get(contact=person.first)
    tracking.record_click(
        first_email.links.get(),
        at=person.now + dt.timedelta(minutes=30),
        method="GET",
        user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    )
    owners_accounts = ("--owner", person.owner.email)  # the first's account only
    before, before_of_owner = metrics(start, end), metrics(start, end, *owners_accounts)
    assert before["emails_sent"] >= 2 and before["unique_clicks"] == 1
    assert before["unsubscribes"] == 1 and before["survey_response_rate"] is not None
    stats_before = campaign_stats(campaign("nps-quarterly"))
    answers_before = sorted(
        Response.objects.values_list("account", "kind", "score", "submitted_at")
    )
    old_links = [
        reverse("surveys:answer-form", args=[links.sign(links.SURVEY_ANSWER, invitation)])
        for invitation in Invitation.objects.values_list("public_id", flat=True)
        if invitation != Invitation.objects.get(contact=person.other).public_id
    ] + [
        reverse("campaigns:unsubscribe", args=[links.sign(links.UNSUBSCRIBE, email.public_id)])
        for email in (first_email, second_email)
    ]
    assert all(client.get(link).status_code == 200 for link in old_links)
    dump = database_dump().lower()
    assert ADDRESS in dump and LAST.lower() in dump  # the fixture does put them everywhere

    output = erase(ADDRESS, "--yes")

    assert "2 contacts at 2 accounts" in output and "Erased" in output
    dump = database_dump().lower()
    assert ADDRESS not in dump
    assert FIRST.lower() not in dump and LAST.lower() not in dump
    # The answers stay, anonymised: the same accounts, kinds, scores and moments.
    assert sorted(Response.objects.values_list("account", "kind", "score", "submitted_at")) == (
        answers_before
    )
    assert not Response.objects.exclude(contact__isnull=True).exclude(contact=person.other)
    assert not ResponseRevision.objects.exists() and not FollowUpComment.objects.exists()
    assert FollowUp.objects.get().response is not None  # staff's item stays, naming nobody
    # Every key of the period is the same, email engagement and response rate included (their
    # sent emails and invitations stay, anonymised), for all accounts and for a segment.
    assert metrics(start, end) == before
    assert metrics(start, end, *owners_accounts) == before_of_owner
    assert campaign_stats(campaign("nps-quarterly")) == stats_before
    kept = Message.objects.filter(erased_contact_account__isnull=False)
    assert {(m.erased_contact_account, m.contact, m.message_id, m.reason) for m in kept} == {
        (person.first.account, None, "", ""),
        (person.second.account, None, "", ""),
    }
    assert not Message.objects.filter(contact__in=[person.first, person.second]).exists()
    # The links in their emails lead nowhere now: no answering, unsubscribing or tracking
    # as them.
    assert [client.get(link).status_code for link in old_links] == [404] * len(old_links)
    # What stays of the address: its hash, in every category, for the erasure.
    assert list(Suppression.objects.values_list("address_hash", "category", "reason")) == [
        (address_hash(ADDRESS), "", "erasure")
    ]
    # Nobody else was touched.
    assert Contact.objects.get() == person.other
    assert Lead.objects.filter(email="marta@peer.example").exists()


def csv_file(folder: Path, name: str, header: str, rows: list[str]) -> str:
    path = folder / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return str(path)


def import_people(folder: Path, addresses: list[str]) -> dict[str, list[Contact]]:
    """Each address at two customer accounts through the CSV importer: one paying since
    today (welcome), one for four years today (anniversary); born today."""
    today = timezone.localdate()
    years_ago = yearly_date(today, today.year - 4)
    accounts, contacts, subs = [], [], []
    for index, address in enumerate(addresses):
        for suffix, started in (("new", today), ("old", years_ago)):
            key = f"{index}-{suffix}"
            accounts.append(f"acc-{key},Company {key},Software,10,ES,,false")
            contacts.append(f"con-{key},acc-{key},Ana,Again,{address},--{today:%m-%d},en,UTC,true")
            subs.append(f"sub-{key},acc-{key},Pro,100.00,1,{started.isoformat()},,,")
    call_command(
        "import_crm",
        accounts=csv_file(
            folder,
            "accounts.csv",
            "external_id,name,industry,employees,country,owner_email,referenceable",
            accounts,
        ),
        contacts=csv_file(
            folder,
            "contacts.csv",
            "external_id,account_external_id,first_name,last_name,email,birthday,language,"
            "timezone,is_primary",
            contacts,
        ),
        subscriptions=csv_file(
            folder,
            "subscriptions.csv",
            "external_id,account_external_id,plan,mrr,quantity,started_on,ended_on,"
            "cancel_type,cancel_reason",
            subs,
        ),
        stdout=io.StringIO(),
    )
    return {
        address: list(Contact.objects.filter(email=address).order_by("external_id"))
        for address in addresses
    }


def test_a_reimported_address_is_never_planned_nor_sent_by_any_kind_of_campaign(
    person, tmp_path: Path
):
    erase(ADDRESS, "--yes")
    Message.objects.all().delete()  # what the fixture's own contacts got
    now = timezone.now()
    people = import_people(tmp_path, [ADDRESS.upper(), CONTROL])
    erased, control = people[ADDRESS.upper()], people[CONTROL]
    assert len(erased) == 2  # imported all the same: it is CRM data
    review = campaign("review-request")
    review.review_url = "https://example.org/review"
    review.save()
    for contact in [*erased, *control]:
        # A promoter's answer yesterday (by email, with no invitation to make them fatigued).
        Response.objects.create(
            survey=survey("nps"),
            kind="nps",
            contact=contact,
            account=contact.account,
            score=10,
            submitted_at=now - dt.timedelta(days=1),
        )
        record_event(type="ticket_closed", contact=contact, occurred_at=now)  # csat
        record_event(type="trial_started", contact=contact, occurred_at=now)
    drip = Campaign.objects.create(
        slug="trial", name="Trial", category="marketing", trigger="drip", event_type="trial_started"
    )
    step = Campaign.objects.create(
        slug="trial-0", name="Trial day 0", category="marketing", trigger="drip_step", drip=drip
    )
    CampaignContent.objects.create(
        campaign=step, language="en", subject="Hi", text_body="Hi", html_body="<p>Hi</p>"
    )
    news = Campaign.objects.get(slug=TEST_EMAIL_CAMPAIGN)
    for slug in ["welcome", "birthday", "anniversary", "nps-quarterly", "review-request"]:
        queue_now(campaign(slug), now=now)
    queue_now(campaign("referral-request"), now=now)
    queue_now(news, now=now)
    run_schedule(drip, now=now)
    run_schedule(step, now=now)

    got = set(Message.objects.values_list("campaign__slug", "contact__email"))
    kinds = {
        "welcome",
        "birthday",
        "anniversary",
        "nps-quarterly",
        "csat",
        "review-request",
        "referral-request",
        TEST_EMAIL_CAMPAIGN,
        "trial-0",
    }
    assert {slug for slug, address in got if address == CONTROL} == kinds  # the rules do run
    assert not [pair for pair in got if pair[1] == ADDRESS.upper()]

    # And at send time, a message written for them by any other way is skipped.
    sneaked = Message.objects.create(
        campaign=campaign("nps-quarterly"),
        contact=erased[0],
        occurrence="by-hand",
        email="survey-invitation",
        due_at=now,
    )
    pipeline.send_chunk([sneaked.pk])
    sneaked.refresh_from_db()
    assert (sneaked.status, sneaked.error) == (
        MessageStatus.SKIPPED,
        "Suppressed address: Personal data erased (every category)",
    )
    assert not OutboxEmail.objects.filter(to__iexact=ADDRESS).exists()


QUARTER_START = dt.date(2026, 7, 1)


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def test_a_rolling_campaign_still_plans_everyone_else_in_the_cycle_of_an_erasure(settings):
    settings.TIME_ZONE = "UTC"
    nps = campaign("nps-quarterly")
    gone = CustomerContactFactory(email="gone@example.com")
    assert plan(nps, now=noon(QUARTER_START + dt.timedelta(days=3)), immediate=True) == 1
    Message.objects.filter(contact=gone).update(status=MessageStatus.SENT, sent_at=timezone.now())
    erase("gone@example.com", "--yes")
    others = CustomerContactFactory.create_batch(40)

    planned = sum(
        plan(nps, now=noon(QUARTER_START + dt.timedelta(days=offset))) for offset in range(4, 92)
    )

    # Each of the others once this quarter (NOT IN (…, NULL) would have planned nobody).
    assert planned == len(others)
    assert Message.objects.filter(campaign=nps, contact__in=others).count() == len(others)


def test_the_click_links_of_an_erased_persons_email_lead_nowhere(person, client):
    first_email = Message.objects.get(contact=person.first)
    old_click = tracking.click_url(first_email.links.get())
    erase(ADDRESS, "--yes")

    answer = client.get(old_click, HTTP_USER_AGENT="Mozilla/5.0 (Anabel's phone)")

    assert answer.status_code == 404
    assert not Engagement.objects.filter(user_agent__contains="Anabel").exists()


def test_erasure_asks_first_unless_told_yes(person, monkeypatch):
    asked = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "no")

    output = erase(ADDRESS)

    assert asked and "Nothing was erased." in output
    assert Contact.objects.filter(pk=person.first.pk).exists()

    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    erase(ADDRESS)
    assert not Contact.objects.filter(pk__in=[person.first.pk, person.second.pk]).exists()


def test_erasure_with_yes_never_asks(person, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("asked despite --yes"))

    erase(ADDRESS, "--yes")

    assert Suppression.objects.get().reason == "erasure"


def test_erasing_an_address_nobody_has_exits_1_and_changes_nothing(person):
    with pytest.raises(CommandError, match=r"Nothing is held about nobody@example\.com") as error:
        erase("nobody@example.com", "--yes")

    assert error.value.returncode == 1
    assert Contact.objects.count() == 3
    assert not Suppression.objects.exclude(category="marketing").exists()


def test_anonymised_answers_still_show_on_every_page_that_lists_answers(person, admin_client_):
    erase(ADDRESS, "--yes")
    answer = Response.objects.filter(contact__isnull=True, score=4).get()
    item = FollowUp.objects.get()

    pages = [
        reverse("surveys:responses"),
        reverse("surveys:response-detail", args=[answer.pk]),
        reverse("surveys:follow-ups"),
        reverse("surveys:follow-up-detail", args=[item.pk]),
        person.first.account.get_absolute_url(),
        reverse("home"),
    ]
    for url in pages:
        page = admin_client_.get(url)
        assert page.status_code == 200, url
        assert ADDRESS not in page.text.lower()
    assert "Erased contact" in admin_client_.get(reverse("surveys:responses")).text
    download = admin_client_.get(reverse("surveys:responses-csv"))
    csv = b"".join(download.streaming_content).decode()
    assert ",4,,,," in csv  # score 4, no comment, no email, no name
    api = admin_client_.get("/api/v1/responses/").json()
    assert [row["contact"] for row in api["results"] if row["id"] == answer.pk] == [None]


# --- The admin action -------------------------------------------------------------------


CHANGELIST = "/admin/accounts/contact/"


def test_an_admin_erases_the_selected_contacts_people_after_a_confirmation(person, admin_client_):
    chosen = {"action": "erase_people", "_selected_action": [person.first.pk]}

    confirm = admin_client_.post(CHANGELIST, chosen)

    assert confirm.status_code == 200
    assert ADDRESS in confirm.text and "2 contacts" in confirm.text
    assert Contact.objects.filter(pk=person.second.pk).exists()  # nothing yet

    done = admin_client_.post(CHANGELIST, {**chosen, "confirmed": "yes"})

    assert done.status_code == 302
    # The person at both accounts, not only the selected row.
    assert list(Contact.objects.all()) == [person.other]
    assert Suppression.objects.get().reason == "erasure"
    assert ADDRESS not in database_dump().lower()


def test_a_marketer_cannot_erase_anyone(person, marketer, marketer_client):
    chosen = {"action": "erase_people", "_selected_action": [person.first.pk], "confirmed": "yes"}

    refused = marketer_client.post(CHANGELIST, chosen)

    assert refused.status_code == 302 and "/admin/login/" in refused["Location"]
    # Even a Marketer let into admin by hand is not offered the action, nor can post it.
    marketer.is_staff = True
    marketer.save()
    listed = marketer_client.get(CHANGELIST)
    assert listed.status_code == 200
    assert "erase_people" not in listed.text
    marketer_client.post(CHANGELIST, chosen)
    assert Contact.objects.count() == 3


# --- The migration ----------------------------------------------------------------------


@pytest.fixture
def back_to_latest():
    yield
    migrate_to_latest()


@pytest.mark.django_db(transaction=True)
def test_going_back_before_anonymised_answers_drops_them_and_keeps_the_others(back_to_latest):
    answered = ResponseFactory(score=7)
    anonymised = ResponseFactory(score=2)
    Response.objects.filter(pk=anonymised.pk).update(contact=None)

    old = migrate([("surveys", "0008_plain_text_validators")])

    assert list(old.get_model("surveys", "Response").objects.values_list("pk", flat=True)) == [
        answered.pk
    ]


@pytest.mark.django_db(transaction=True)
def test_going_back_before_anonymised_emails_drops_them_and_keeps_the_others(back_to_latest):
    sent = MessageFactory(status=MessageStatus.SENT, sent_at=timezone.now())
    anonymised = MessageFactory(status=MessageStatus.SENT, sent_at=timezone.now())
    kept_invitation = InvitationFactory(message=sent)
    anonymised_invitation = InvitationFactory(message=anonymised)
    subscriptions.unsubscribe(
        anonymised.contact, "surveys", source="one_click", message=anonymised, now=timezone.now()
    )
    account = anonymised.contact.account
    Message.objects.filter(pk=anonymised.pk).update(contact=None, erased_contact_account=account)
    Invitation.objects.filter(pk=anonymised_invitation.pk).update(contact=None)
    Unsubscription.objects.update(contact=None)

    old = migrate(
        [("campaigns", "0021_suppression_by_address_hash"), ("surveys", "0009_anonymised_answers")]
    )

    assert list(old.get_model("campaigns", "Message").objects.values_list("pk", flat=True)) == [
        sent.pk
    ]
    assert not old.get_model("campaigns", "Unsubscription").objects.exists()
    assert list(old.get_model("surveys", "Invitation").objects.values_list("pk", flat=True)) == [
        kept_invitation.pk
    ]
