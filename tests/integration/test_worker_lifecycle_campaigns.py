"""The lifecycle campaigns end to end: planned here with the clock set on either side of
midnight UTC, sent by a real worker on Redis to a real SMTP server, each email once, on the
contact's own date at the campaign's local hour."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Contact
from campaigns import pipeline
from campaigns.models import Message, MessageStatus
from campaigns.services import plan, run_schedule, send_now
from lifecycle.lib.dates import yearly_date
from tests.factories import AccountFactory, CustomerContactFactory, SubscriptionFactory, campaign
from tests.integration.conftest import redis_or_skip, wait_until
from tests.smtp import SMTPServer
from tests.workers import REDIS_URL, broker_connection

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    redis_or_skip(),
]

AUCKLAND = zoneinfo.ZoneInfo("Pacific/Auckland")
LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")


def unfinished() -> bool:
    return (
        Message.objects.filter(status__in=[MessageStatus.QUEUED, MessageStatus.SENDING])
        .filter(dispatched_at__isnull=False)
        .exists()
    )


def dispatch(group, conn, smtp, *, now: dt.datetime, expect: int, worker) -> list[str]:
    """Hand what is due at `now` to the worker; returns the new recipients it delivered."""
    before = smtp.count
    handed = pipeline.dispatch_due(now=now, enqueue=group.enqueue(conn))
    assert handed == expect
    if expect:
        assert smtp.wait_for(before + expect), "the worker did not deliver"
        wait_until(lambda: not unfinished(), timeout=30, what="messages finished", worker=worker)
    return [str(m["To"]) for m in smtp.messages[before:]]


def test_birthdays_go_out_on_each_contacts_own_date_at_their_local_hour(workers):
    CustomerContactFactory(
        first_name="Aroha", email="aroha@example.com", timezone="Pacific/Auckland",
        birth_month=3, birth_day=15,
    )  # fmt: skip
    CustomerContactFactory(
        first_name="Lee", email="lee@example.com", timezone="America/Los_Angeles",
        birth_month=3, birth_day=15, language="es",
    )  # fmt: skip
    CustomerContactFactory(email="leap@example.com", birth_month=2, birth_day=29)
    birthday = campaign("birthday")

    with SMTPServer() as smtp, broker_connection(REDIS_URL) as conn:
        group = workers(REDIS_URL, smtp.port)
        worker = group.start()
        # 12:00 UTC on 14 March: the 15th in Auckland, the 14th in Los Angeles.
        before_midnight = dt.datetime(2027, 3, 14, 12, tzinfo=dt.UTC)
        assert run_schedule(birthday, now=before_midnight) == 2
        assert dispatch(group, conn, smtp, now=before_midnight, expect=0, worker=worker) == []
        at_nine_in_auckland = dt.datetime(2027, 3, 15, 9, 1, tzinfo=AUCKLAND)
        assert dispatch(group, conn, smtp, now=at_nine_in_auckland, expect=1, worker=worker) == [
            "aroha@example.com"
        ]
        # Past midnight UTC: the 15th in Los Angeles too, but its 09:00 has not come.
        after_midnight = dt.datetime(2027, 3, 15, 0, 30, tzinfo=dt.UTC)
        assert run_schedule(birthday, now=after_midnight) == 0
        assert dispatch(group, conn, smtp, now=after_midnight, expect=0, worker=worker) == []
        at_nine_in_la = dt.datetime(2027, 3, 15, 9, 1, tzinfo=LOS_ANGELES)
        assert dispatch(group, conn, smtp, now=at_nine_in_la, expect=1, worker=worker) == [
            "lee@example.com"
        ]
        # 28 February of a year without a 29th.
        leap = dt.datetime(2027, 2, 28, 10, tzinfo=dt.UTC)
        assert run_schedule(birthday, now=leap) == 1
        assert dispatch(group, conn, smtp, now=leap, expect=1, worker=worker) == [
            "leap@example.com"
        ]
        emails = {str(m["To"]): m for m in smtp.messages}

    assert len(smtp.messages) == 3
    assert emails["aroha@example.com"]["Subject"] == "Happy birthday, Aroha!"
    assert emails["lee@example.com"]["Subject"] == "¡Feliz cumpleaños, Lee!"
    assert emails["lee@example.com"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_an_anniversary_email_counts_the_years(workers):
    account = AccountFactory(name="Orbit")
    today = timezone.localdate()
    SubscriptionFactory(account=account, started_on=yearly_date(today, today.year - 3))
    Contact.objects.create(account=account, email="ana@example.com", first_name="Ana")

    with SMTPServer() as smtp, broker_connection(REDIS_URL) as conn:
        group = workers(REDIS_URL, smtp.port)
        worker = group.start()
        queued, handed = send_now(
            campaign("anniversary"), now=timezone.now(), enqueue=group.enqueue(conn)
        )
        assert (queued, handed) == (1, 1)
        assert smtp.wait_for(1)
        wait_until(lambda: not unfinished(), timeout=30, what="sent", worker=worker)
        (email,) = smtp.messages

    assert email["Subject"] == "3 years with us: thank you!"
    text = email.get_body(("plain",)).get_content()
    assert "Today Orbit has been with us for 3 years." in text


def test_a_welcome_goes_once_to_a_new_customer_and_never_to_an_import_of_old_ones(
    workers, tmp_path: Path
):
    (tmp_path / "accounts.csv").write_text("external_id,name\nold-1,Old Co\nnew-1,New Co\n")
    (tmp_path / "contacts.csv").write_text(
        "external_id,account_external_id,first_name,last_name,email\n"
        "c-old,old-1,Olga,Old,olga@old.example\n"
        "c-new,new-1,Nia,New,nia@new.example\n"
    )
    (tmp_path / "subscriptions.csv").write_text(
        "external_id,account_external_id,plan,mrr,started_on\ns-old,old-1,Pro,100,2019-04-01\n"
    )
    call_command(
        "import_crm",
        accounts=str(tmp_path / "accounts.csv"),
        contacts=str(tmp_path / "contacts.csv"),
        subscriptions=str(tmp_path / "subscriptions.csv"),
        stdout=io.StringIO(),
    )
    welcome = campaign("welcome")

    with SMTPServer() as smtp, broker_connection(REDIS_URL) as conn:
        group = workers(REDIS_URL, smtp.port)
        worker = group.start()
        assert send_now(welcome, now=timezone.now(), enqueue=group.enqueue(conn)) == (0, 0)
        # New Co signs today: it becomes a customer.
        new_co = Contact.objects.get(email="nia@new.example").account
        SubscriptionFactory(account=new_co, started_on=timezone.localdate())
        assert send_now(welcome, now=timezone.now(), enqueue=group.enqueue(conn)) == (1, 1)
        assert smtp.wait_for(1)
        wait_until(lambda: not unfinished(), timeout=30, what="sent", worker=worker)
        # The hourly beat run and another press of the button send nothing again.
        assert run_schedule(welcome, now=timezone.now()) == 0
        assert plan(welcome, now=timezone.now(), immediate=True) == 0
        assert send_now(welcome, now=timezone.now(), enqueue=group.enqueue(conn)) == (0, 0)
        recipients = smtp.recipients()

    assert recipients == ["nia@new.example"]
