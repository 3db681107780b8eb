"""Planning: the rolling quarterly spread, local sending times, audiences, and events."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from accounts.models import Contact
from campaigns import schedule
from campaigns.models import Campaign, Event, Message
from campaigns.rules import CATCH_UP_DAYS
from campaigns.services import plan, queue_now, record_event
from tests.factories import (
    AccountFactory,
    CustomerContactFactory,
    SubscriptionFactory,
    campaign,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
QUARTER_START = dt.date(2026, 7, 1)
QUARTER_END = dt.date(2026, 10, 1)


def at(day: dt.date, hour: int, minute: int = 0, zone: str = "UTC") -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=schedule.zone(zone))


def customer_contacts(count: int, *, accounts: int = 30) -> list[Contact]:
    """Many contacts of paying accounts, inserted in bulk."""
    owners = AccountFactory.create_batch(accounts)
    for account in owners:
        SubscriptionFactory(account=account)
    return Contact.objects.bulk_create(
        Contact(account=owners[n % accounts], email=f"bulk{n}@example.com") for n in range(count)
    )


def slot_of(nps: Campaign, contact: Contact) -> dt.date:
    fraction = schedule.slot_fraction(nps.pk, contact.pk)
    return schedule.slot_day(QUARTER_START, QUARTER_END, fraction)


def contact_in(nps: Campaign, zone: str) -> tuple[Contact, dt.date]:
    """A contact in `zone` whose slot is not the quarter's first day (so the day before it
    is in the same quarter for the site too)."""
    while True:
        contact = CustomerContactFactory(timezone=zone)
        day = slot_of(nps, contact)
        if day > QUARTER_START:
            return contact, day
        contact.delete()


def test_a_quarter_spreads_its_audience_over_every_day_of_the_quarter(settings):
    settings.TIME_ZONE = "UTC"  # the site's days are the contacts' days
    nps = campaign("nps-quarterly")
    contacts = customer_contacts(900)
    length = (QUARTER_END - QUARTER_START).days
    expected = Counter(slot_of(nps, contact) for contact in contacts)

    created_per_day = {}
    for offset in range(length):
        day = QUARTER_START + dt.timedelta(days=offset)
        created_per_day[day] = plan(nps, now=at(day, 0, 30))

    mean = 900 / length
    assert sum(created_per_day.values()) == 900
    # Each day queues exactly the contacts whose slot is that day, and no day is crowded.
    assert created_per_day == {day: expected.get(day, 0) for day in created_per_day}
    assert max(created_per_day.values()) <= 3 * mean
    assert sum(1 for count in created_per_day.values() if count) >= length - 5
    due_days = Counter(m.due_at.astimezone(UTC).date() for m in Message.objects.all())
    assert due_days == +Counter(created_per_day)
    assert {m.due_at.astimezone(UTC).time() for m in Message.objects.all()} == {dt.time(9)}


def test_a_contact_is_queued_only_once_its_slot_day_has_come():
    nps = campaign("nps-quarterly")
    contact, slot = contact_in(nps, "UTC")
    day_before = slot - dt.timedelta(days=1)

    before = plan(nps, now=at(day_before, 23, 59))
    on_the_day = plan(nps, now=at(slot, 0, 1))

    assert (before, on_the_day) == (0, 1)
    assert Message.objects.get().contact == contact


def test_a_slot_missed_by_a_few_days_is_caught_up_but_not_one_long_past():
    nps = campaign("nps-quarterly")
    contact, slot = contact_in(nps, "UTC")
    while slot + dt.timedelta(days=CATCH_UP_DAYS + 1) >= QUARTER_END:
        contact.delete()
        contact, slot = contact_in(nps, "UTC")

    long_past = plan(nps, now=at(slot + dt.timedelta(days=CATCH_UP_DAYS + 1), 12))
    caught_up = plan(nps, now=at(slot + dt.timedelta(days=CATCH_UP_DAYS), 12))

    # Enabling a campaign mid-quarter must not survey everyone whose slot has passed at once.
    assert (long_past, caught_up) == (0, 1)
    assert Message.objects.get().contact == contact


def test_the_due_time_is_nine_in_tokyo_stored_as_utc():
    nps = campaign("nps-quarterly")
    contact, slot = contact_in(nps, "Asia/Tokyo")

    before = plan(nps, now=at(slot, 23, 30, "Asia/Tokyo") - dt.timedelta(days=1))
    on_the_day = plan(nps, now=at(slot, 0, 30, "Asia/Tokyo"))

    message = Message.objects.get(contact=contact)
    assert (before, on_the_day) == (0, 1)
    assert message.due_at == at(slot, 0, 0, "UTC")  # 09:00 JST
    assert message.due_at.utcoffset() == dt.timedelta(0)


def test_the_due_time_is_nine_in_new_york_even_when_the_utc_date_is_already_the_slot_day():
    nps = campaign("nps-quarterly")
    contact, slot = contact_in(nps, "America/New_York")

    # 03:00 UTC on the slot day is still the evening before in New York.
    before = plan(nps, now=at(slot, 3, 0))
    on_the_day = plan(nps, now=at(slot, 0, 30, "America/New_York"))

    message = Message.objects.get(contact=contact)
    assert (before, on_the_day) == (0, 1)
    assert message.due_at == at(slot, 13, 0)  # 09:00 EDT
    assert message.due_at.utcoffset() == dt.timedelta(0)


def test_a_contact_planned_after_nine_local_is_due_at_once():
    nps = campaign("nps-quarterly")
    contact, slot = contact_in(nps, "UTC")
    now = at(slot, 15, 0)

    plan(nps, now=now)

    assert Message.objects.get(contact=contact).due_at == now


def test_only_reachable_customers_are_in_the_audience():
    nps = campaign("nps-quarterly")
    customer = CustomerContactFactory()
    marketing_unsubscriber = CustomerContactFactory(unsubscribed_marketing_at=at(QUARTER_START, 9))
    CustomerContactFactory(paying=False)  # a prospect
    churned = CustomerContactFactory(paying=False)
    SubscriptionFactory(
        account=churned.account, started_on=dt.date(2024, 1, 1), ended_on=dt.date(2025, 1, 1)
    )
    CustomerContactFactory(email_consent=False)
    CustomerContactFactory(unsubscribed_surveys_at=at(QUARTER_START, 9))

    queued = queue_now(nps, now=at(dt.date(2026, 8, 1), 10))

    assert queued == 2
    assert set(Message.objects.values_list("contact", flat=True)) == {
        customer.pk,
        marketing_unsubscriber.pk,
    }


def test_planning_twice_creates_nothing_twice():
    nps = campaign("nps-quarterly")
    customer_contacts(40, accounts=4)
    now = at(QUARTER_END - dt.timedelta(days=1), 12)

    first = plan(nps, now=now, immediate=True)
    second = plan(nps, now=now)
    third = plan(nps, now=now, immediate=True)

    assert first == 40
    assert (second, third) == (0, 0)
    assert Message.objects.count() == 40


def test_the_next_quarter_is_a_new_occurrence(settings):
    nps = campaign("nps-quarterly")
    CustomerContactFactory()

    # The quarter is the site's: noon there, whatever TIME_ZONE the environment sets.
    queue_now(nps, now=at(dt.date(2026, 9, 30), 12, zone=settings.TIME_ZONE))
    queue_now(nps, now=at(dt.date(2026, 10, 1), 12, zone=settings.TIME_ZONE))

    assert sorted(Message.objects.values_list("occurrence", flat=True)) == [
        "2026-07/3m",
        "2026-10/3m",
    ]


def test_a_ticket_closed_event_queues_the_csat_email_an_hour_later():
    contact = CustomerContactFactory()
    occurred_at = at(dt.date(2026, 8, 3), 14)

    event, created = record_event(
        type="ticket_closed",
        contact=contact,
        occurred_at=occurred_at,
        external_id="ticket-1",
        now=occurred_at + dt.timedelta(minutes=1),
    )

    message = Message.objects.get()
    assert created
    assert message.campaign == campaign("csat")
    assert message.contact == contact
    assert message.occurrence == f"event:{event.pk}"
    assert message.due_at == occurred_at + dt.timedelta(minutes=60)


def test_the_same_event_recorded_twice_is_one_event_and_one_message():
    contact = CustomerContactFactory()
    occurred_at = at(dt.date(2026, 8, 3), 14)

    first, first_created = record_event(
        type="ticket_closed", contact=contact, occurred_at=occurred_at, external_id="ticket-9"
    )
    again, again_created = record_event(
        type="ticket_closed", contact=contact, occurred_at=occurred_at, external_id="ticket-9"
    )

    assert (first_created, again_created) == (True, False)
    assert again == first
    assert Event.objects.count() == 1
    assert Message.objects.count() == 1


def test_an_event_reported_late_is_due_at_once():
    contact = CustomerContactFactory()
    now = at(dt.date(2026, 8, 3), 14)

    record_event(
        type="ticket_closed", contact=contact, occurred_at=now - dt.timedelta(days=1), now=now
    )

    assert Message.objects.get().due_at == now


def test_an_event_no_campaign_listens_to_queues_nothing():
    contact = CustomerContactFactory()

    event, created = record_event(
        type="signed_up", contact=contact, occurred_at=at(QUARTER_START, 9)
    )

    assert created
    assert event.type == "signed_up"
    assert not Message.objects.exists()


def test_a_disabled_campaign_queues_nothing_for_its_event():
    Campaign.objects.filter(slug="csat").update(enabled=False)
    contact = CustomerContactFactory()

    record_event(type="ticket_closed", contact=contact, occurred_at=at(QUARTER_START, 9))

    assert not Message.objects.exists()
