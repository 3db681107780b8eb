"""The lifecycle rules: welcome, birthday, anniversary, review and referral requests.

Each is checked as a contact would notice it: who gets a message, on which local date and
hour, with what in it, and that running the rule again sends nobody anything twice.
"""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns import pipeline
from campaigns.models import Message
from campaigns.services import plan, run_schedule
from lifecycle.lib.dates import yearly_date
from surveys.models import FollowUp
from tests.factories import (
    AccountFactory,
    ContactFactory,
    CustomerContactFactory,
    ResponseFactory,
    SubscriptionFactory,
    campaign,
)

pytestmark = pytest.mark.django_db

AUCKLAND = "Pacific/Auckland"
LOS_ANGELES = "America/Los_Angeles"
UTC = dt.UTC
G2 = "https://www.g2.com/products/acme/take_survey"


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def local(zone: str, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo(zone))


def rows(slug: str) -> dict[str, Message]:
    return {
        m.contact.email: m
        for m in Message.objects.filter(campaign__slug=slug).select_related("contact")
    }


def birthday_contact(email: str, zone: str, month: int, day: int, **kwargs):
    return CustomerContactFactory(
        email=email, timezone=zone, birth_month=month, birth_day=day, **kwargs
    )


# --- birthday ---------------------------------------------------------------------------


def test_a_birthday_is_sent_on_the_local_date_at_the_local_hour_in_each_zone():
    birthday = campaign("birthday")
    birthday_contact("kiwi@example.com", AUCKLAND, 3, 15)
    birthday_contact("la@example.com", LOS_ANGELES, 3, 15)
    birthday_contact("other@example.com", "UTC", 3, 17)

    # 12:00 UTC on 14 March: already the 15th in Auckland, still the 14th in Los Angeles.
    assert plan(birthday, now=utc(2027, 3, 14, 12)) == 2
    planned = rows("birthday")
    assert set(planned) == {"kiwi@example.com", "la@example.com"}
    assert planned["kiwi@example.com"].due_at == local(AUCKLAND, 2027, 3, 15, 9)
    # Tomorrow's birthdays are queued ahead, at 09:00 of the contact's own date.
    assert planned["la@example.com"].due_at == local(LOS_ANGELES, 2027, 3, 15, 9)
    assert planned["la@example.com"].occurrence == "birthday:2027"
    assert planned["kiwi@example.com"].reason == "Birthday 03-15"

    # After midnight UTC (the 15th everywhere west of Auckland), nothing is added twice.
    assert plan(birthday, now=utc(2027, 3, 15, 1)) == 0
    assert run_schedule(birthday, now=utc(2027, 3, 15, 17)) == 0


def test_only_the_birthdays_due_are_handed_to_the_workers():
    birthday = campaign("birthday")
    birthday_contact("kiwi@example.com", AUCKLAND, 3, 15)
    birthday_contact("la@example.com", LOS_ANGELES, 3, 15)
    plan(birthday, now=utc(2027, 3, 14, 12))

    def dispatched(now: dt.datetime) -> list[str]:
        handed: list[int] = []
        pipeline.dispatch_due(now=now, enqueue=handed.extend)
        Message.objects.filter(pk__in=handed).update(status="sent")  # as a worker would
        return [m.contact.email for m in Message.objects.filter(pk__in=handed)]

    assert dispatched(local(AUCKLAND, 2027, 3, 15, 8, 59)) == []
    assert dispatched(local(AUCKLAND, 2027, 3, 15, 9, 1)) == ["kiwi@example.com"]
    assert dispatched(local(LOS_ANGELES, 2027, 3, 15, 8, 59)) == []
    assert dispatched(local(LOS_ANGELES, 2027, 3, 15, 9, 1)) == ["la@example.com"]


def test_a_birthday_planned_after_the_sending_hour_goes_now_the_same_day():
    birthday = campaign("birthday")
    birthday_contact("late@example.com", "Europe/Madrid", 6, 2)
    now = local("Europe/Madrid", 2027, 6, 2, 18, 30)

    plan(birthday, now=now)

    assert rows("birthday")["late@example.com"].due_at == now


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2027, 2, 28), "birthday:2027"),  # no 29 February this year
        (dt.date(2028, 2, 28), None),  # a leap year: wait for the 29th
        (dt.date(2028, 2, 29), "birthday:2028"),
        (dt.date(2027, 3, 1), None),
    ],
)
def test_a_29_february_birthday_falls_on_28_february_in_other_years(today, expected):
    birthday_contact("leap@example.com", "UTC", 2, 29)
    now = dt.datetime.combine(today, dt.time(6), tzinfo=UTC)

    plan(campaign("birthday"), now=now, immediate=True)

    planned = rows("birthday").get("leap@example.com")
    assert (planned.occurrence if planned else None) == expected
    if expected == "birthday:2027":
        assert planned.reason == "Birthday 02-29, sent on 02-28 this year"


def test_birthdays_go_to_customer_contacts_who_may_be_emailed_only():
    birthday_contact("paying@example.com", "UTC", 5, 5)
    birthday_contact("no-consent@example.com", "UTC", 5, 5, email_consent=False)
    birthday_contact(
        "unsubscribed@example.com", "UTC", 5, 5, unsubscribed_lifecycle_at=utc(2027, 1, 1)
    )
    ContactFactory(email="prospect@example.com", birth_month=5, birth_day=5)
    churned = AccountFactory()
    SubscriptionFactory(
        account=churned, started_on=dt.date(2024, 1, 1), ended_on=dt.date(2025, 1, 1)
    )
    ContactFactory(account=churned, email="churned@example.com", birth_month=5, birth_day=5)

    plan(campaign("birthday"), now=utc(2027, 5, 5, 8), immediate=True)

    assert set(rows("birthday")) == {"paying@example.com"}


def test_the_birthday_rule_costs_the_same_queries_for_1_and_for_30_birthdays():
    birthday = campaign("birthday")
    plan(birthday, now=utc(2027, 1, 1, 6))  # what the campaign caches, loaded once
    birthday_contact("first@example.com", "UTC", 4, 4)
    with CaptureQueriesContext(connection) as one:
        plan(birthday, now=utc(2027, 4, 4, 6))
    for n in range(29):
        birthday_contact(f"b{n}@example.com", "UTC", 4, 5)
    with CaptureQueriesContext(connection) as thirty:
        assert plan(birthday, now=utc(2027, 4, 5, 6)) == 29

    assert len(thirty) == len(one)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_the_birthday_rule_looks_up_its_index_instead_of_scanning_every_contact():
    birthday_contact("b@example.com", "UTC", 4, 4)
    with CaptureQueriesContext(connection) as queries:
        plan(campaign("birthday"), now=utc(2027, 4, 4, 6))
    lookup = next(q["sql"] for q in queries if '"birth_month"' in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {lookup}")
        plan_text = " ".join(str(row) for row in cursor.fetchall())

    assert "contact_birthday_idx" in plan_text
    assert "SCAN accounts_contact" not in plan_text


# --- anniversary -------------------------------------------------------------------------


def years_ago(years: int) -> dt.date:
    """Today's date `years` ago: the email counts years on the day it is sent (today)."""
    today = dt.date.today()
    return yearly_date(today, today.year - years)


def now_on(day: dt.date, hour: int = 6) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=UTC)


def test_an_anniversary_counts_the_years_in_the_contacts_language():
    account = AccountFactory(name="Orbit")
    first_day = years_ago(3)
    SubscriptionFactory(account=account, started_on=first_day)
    SubscriptionFactory(account=account, started_on=years_ago(1))  # an upgrade
    ContactFactory(account=account, email="ana@example.com", language="es")
    ContactFactory(account=account, email="lee@example.com", timezone=LOS_ANGELES)
    anniversary = campaign("anniversary")

    plan(anniversary, now=now_on(dt.date.today(), 12))

    planned = rows("anniversary")
    assert set(planned) == {"ana@example.com", "lee@example.com"}
    assert planned["ana@example.com"].reason == (
        f"3 years as a customer (since {first_day.isoformat()})"
    )
    assert planned["lee@example.com"].due_at == local(
        LOS_ANGELES, *dt.date.today().timetuple()[:3], 9
    )
    email = pipeline.build(planned["ana@example.com"])
    assert email.subject == "3 años con nosotros: ¡gracias!"
    assert "Orbit cumple 3 años con nosotros" in email.body


def test_russian_years_are_declined():
    account = AccountFactory(name="Орбита")
    SubscriptionFactory(account=account, started_on=years_ago(2))
    ContactFactory(account=account, email="ivan@example.com", language="ru")

    plan(campaign("anniversary"), now=now_on(dt.date.today()), immediate=True)

    email = pipeline.build(rows("anniversary")["ivan@example.com"])
    assert email.subject == "2 года вместе: спасибо!"


def test_no_anniversary_on_the_first_customer_day_itself_nor_for_a_later_subscription():
    starting = AccountFactory()
    SubscriptionFactory(account=starting, started_on=dt.date(2027, 3, 15))
    ContactFactory(account=starting, email="new@example.com")
    older = AccountFactory()
    SubscriptionFactory(account=older, started_on=dt.date(2020, 1, 10))
    SubscriptionFactory(account=older, started_on=dt.date(2025, 3, 15))  # not the first
    ContactFactory(account=older, email="old@example.com")

    plan(campaign("anniversary"), now=utc(2027, 3, 15, 6), immediate=True)

    assert rows("anniversary") == {}


def test_a_29_february_customer_celebrates_on_28_february():
    account = AccountFactory()
    SubscriptionFactory(account=account, started_on=dt.date(2024, 2, 29))
    ContactFactory(account=account, email="leap@example.com")

    plan(campaign("anniversary"), now=utc(2027, 2, 28, 6), immediate=True)

    assert rows("anniversary")["leap@example.com"].reason.startswith("3 years")


# --- welcome -------------------------------------------------------------------------------


def test_a_welcome_goes_once_to_each_contact_when_the_account_becomes_a_customer():
    account = AccountFactory(name="Nimbus")
    ContactFactory(account=account, email="one@example.com")
    ContactFactory(account=account, email="two@example.com")
    welcome = campaign("welcome")
    now = utc(2027, 5, 10, 14)
    assert run_schedule(welcome, now=now) == 0  # a prospect: nothing yet

    SubscriptionFactory(account=account, started_on=dt.date(2027, 5, 10))

    assert run_schedule(welcome, now=now) == 2
    assert run_schedule(welcome, now=now + dt.timedelta(hours=1)) == 0
    assert run_schedule(welcome, now=now + dt.timedelta(days=400)) == 0
    planned = rows("welcome")
    assert {m.due_at for m in planned.values()} == {now}
    assert {m.reason for m in planned.values()} == {"Customer since 2027-05-10"}
    email = pipeline.build(planned["one@example.com"])
    assert email.subject == "Welcome aboard, Ana!"
    assert "the rest of Nimbus" in email.body


def test_no_welcome_for_accounts_imported_as_long_standing_customers():
    CustomerContactFactory(email="since-2024@example.com")  # paying since 2024-01-01

    assert run_schedule(campaign("welcome"), now=utc(2027, 5, 10, 14)) == 0
    assert plan(campaign("welcome"), now=utc(2027, 5, 10, 14), immediate=True) == 0


def test_a_welcome_waits_for_a_decent_hour_in_the_contacts_zone():
    account = AccountFactory()
    SubscriptionFactory(account=account, started_on=dt.date(2027, 5, 10))
    ContactFactory(account=account, email="la@example.com", timezone=LOS_ANGELES)
    ContactFactory(account=account, email="tokyo@example.com", timezone="Asia/Tokyo")
    ContactFactory(account=account, email="madrid@example.com", timezone="Europe/Madrid")

    # 04:00 UTC on the 10th (the site's date): 21:00 on the 9th in Los Angeles, 13:00 in
    # Tokyo, 06:00 in Madrid.
    now = utc(2027, 5, 10, 4)
    run_schedule(campaign("welcome"), now=now)

    planned = rows("welcome")
    assert planned["la@example.com"].due_at == local(LOS_ANGELES, 2027, 5, 10, 9)
    assert planned["tokyo@example.com"].due_at == now
    assert planned["madrid@example.com"].due_at == local("Europe/Madrid", 2027, 5, 10, 9)


# --- review request ---------------------------------------------------------------------


def test_a_review_request_reaches_detractors_passives_and_promoters_with_the_same_link(
    settings,
):
    review = campaign("review-request")
    review.review_url = G2
    review.save()
    for email, score in [("detractor@x.com", 3), ("passive@x.com", 7), ("promoter@x.com", 10)]:
        ResponseFactory(invitation__contact=CustomerContactFactory(email=email), score=score)

    call_command("send_campaign", "review-request", stdout=io.StringIO())

    planned = rows("review-request")
    assert set(planned) == {"detractor@x.com", "passive@x.com", "promoter@x.com"}
    assert {m.reason for m in planned.values()} == {
        "Every customer contact once per cycle (2027-01/12m)".replace(
            "2027", str(dt.date.today().year)
        )
    }
    for message in planned.values():
        email = pipeline.build(message)
        # The same page for everyone, through each message's own tracked link.
        assert [link.url for link in message.links.all()] == [G2]
        assert f'href="{G2}"' not in email.alternatives[0][0]


def test_a_review_request_without_a_review_page_sends_nothing_and_says_why(capsys):
    CustomerContactFactory()
    review = campaign("review-request")
    assert review.review_url == ""  # REVIEW_URL is not set in the tests

    assert run_schedule(review, now=utc(2027, 5, 10, 14)) == 0
    with pytest.raises(Exception, match="review page"):
        call_command("send_campaign", "review-request")
    assert not Message.objects.filter(campaign=review).exists()


# --- referral request -------------------------------------------------------------------


def test_a_referral_request_goes_to_contacts_whose_latest_nps_is_a_promoters():
    now = utc(2027, 5, 10, 14)
    recent = now - dt.timedelta(days=3)
    promoter = ResponseFactory(score=9, submitted_at=recent).contact
    ResponseFactory(score=10, submitted_at=now - dt.timedelta(days=31))  # too long ago
    changed_mind = ResponseFactory(score=10, submitted_at=recent - dt.timedelta(days=2)).contact
    ResponseFactory(invitation__contact=changed_mind, score=5, submitted_at=recent)
    ResponseFactory(score=8, submitted_at=recent)  # a passive

    referral = campaign("referral-request")
    assert run_schedule(referral, now=now) == 1
    assert run_schedule(referral, now=now + dt.timedelta(hours=1)) == 0

    message = Message.objects.get(campaign=referral)
    assert message.contact == promoter
    assert message.reason == "Promoter: NPS 9 on 2027-05-07"
    assert message.due_at == now  # UTC contact, after the campaign's hour, before evening


@pytest.mark.parametrize(
    "slug",
    [
        "welcome",
        "birthday",
        "anniversary",
        "nps-quarterly",
        "csat",
        "review-request",
        "referral-request",
    ],
)
def test_send_campaign_runs_every_default_campaign(slug, capsys):
    review = campaign("review-request")
    review.review_url = "https://example.org/review"
    review.save()
    CustomerContactFactory(email="someone@example.com")

    call_command("send_campaign", slug)

    assert f"{slug}: " in capsys.readouterr().out


def test_a_referral_request_asks_once_in_90_days_and_only_customers_who_answered_by_email():
    now = utc(2027, 5, 10, 14)
    contact = ResponseFactory(score=10, submitted_at=now - dt.timedelta(days=40)).contact
    referral = campaign("referral-request")
    ResponseFactory(invitation__contact=contact, score=9, submitted_at=now - dt.timedelta(days=20))
    assert run_schedule(referral, now=now) == 1
    # Another promoter answer a month later: asked already within 90 days.
    ResponseFactory(invitation__contact=contact, score=10, submitted_at=now + dt.timedelta(days=30))
    assert run_schedule(referral, now=now + dt.timedelta(days=31)) == 0
    # History brought in by CSV asks nobody; nor does a promoter whose account has left.
    ResponseFactory(score=10, submitted_at=now - dt.timedelta(days=2), source="import")
    gone = AccountFactory()
    SubscriptionFactory(account=gone, started_on=dt.date(2024, 1, 1), ended_on=dt.date(2027, 5, 1))
    ResponseFactory(invitation__contact=ContactFactory(account=gone), score=10, submitted_at=now)
    assert run_schedule(referral, now=now + dt.timedelta(hours=1)) == 0


def test_a_birthday_found_late_in_the_evening_is_not_sent_at_night():
    birthday_contact("night@example.com", "Europe/Madrid", 6, 1)

    # 23:30 in Madrid on the birthday (the campaign enabled late): too late for today.
    assert plan(campaign("birthday"), now=local("Europe/Madrid", 2027, 6, 1, 23, 30)) == 0
    # 19:00 the same day: still fine, it goes now.
    assert plan(campaign("birthday"), now=local("Europe/Madrid", 2027, 6, 1, 19)) == 1


def test_a_first_anniversary_in_auckland_counts_one_year_on_the_contacts_own_date(monkeypatch):
    account = AccountFactory()
    SubscriptionFactory(account=account, started_on=dt.date(2026, 3, 15))
    ContactFactory(account=account, timezone=AUCKLAND)
    anniversary = campaign("anniversary")
    assert plan(anniversary, now=utc(2027, 3, 14, 12)) == 1
    message = Message.objects.get(campaign=anniversary)
    assert message.due_at == local(AUCKLAND, 2027, 3, 15, 9)  # 20:00 UTC on the 14th

    monkeypatch.setattr("django.utils.timezone.now", lambda: message.due_at)  # when it goes
    assert pipeline.build(message).subject == "1 year with us: thank you!"


def test_a_subscription_entered_a_few_days_late_is_still_welcomed():
    account = AccountFactory()
    ContactFactory(account=account, email="late@example.com")
    today = dt.date.today()
    SubscriptionFactory(account=account, started_on=today - dt.timedelta(days=5))  # entered now

    assert run_schedule(campaign("welcome"), now=now_on(today, 12)) == 1


def test_a_detractor_asked_for_a_review_also_gets_support_and_the_same_link(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    review = campaign("review-request")
    review.review_url = G2
    review.save()
    detractor = ResponseFactory(score=2).contact
    promoter = ResponseFactory(score=10).contact
    FollowUp.objects.all().delete()  # the answers' own items: not what this test is about
    call_command("send_campaign", "review-request", stdout=io.StringIO())

    pipeline.send_chunk(list(Message.objects.filter(campaign=review).values_list("pk", flat=True)))

    items = FollowUp.objects.with_reason("detractor")
    assert list(items.values_list("account", flat=True)) == [detractor.account_id]
    assert not FollowUp.objects.filter(account=promoter.account).exists()
    links = {m.contact_id: [link.url for link in m.links.all()] for m in Message.objects.all()}
    assert links == {detractor.pk: [G2], promoter.pk: [G2]}
