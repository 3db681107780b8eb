"""Nurture drips (docs/campaigns.md): a drip campaign enrols contacts, each of its steps (a
campaign of its own, with its own email and results) emails them some days after they
entered, and every step first lets go of those who should leave.

Contacts enter on an event of the drip's `event_type` (posted to /api/v1/events/ in the last
ENTRY_WINDOW), or, without one, by being in its audience. They leave, checked before each
step, when they unsubscribe or withdraw consent, become a customer after entering (if the
drip says so), answer a survey (idem) or reach its goal event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import CharField, Exists, Min, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat, TruncDate
from django.utils import timezone

from accounts.models import Contact, Subscription, active_on_q
from campaigns import schedule
from campaigns.audience import UNSUBSCRIBED_FIELD, eligible, rolling_audience
from campaigns.deliverability import listed
from campaigns.extensions import EXIT_CONDITIONS
from campaigns.models import Campaign, Category, DripEnrollment, Event, Message
from campaigns.planning import BATCH, Planned

ENTRY_WINDOW = dt.timedelta(days=7)


def plan_enrollments(drip: Campaign, now: dt.datetime, immediate: bool) -> Iterator[Planned]:
    """The drip itself sends nothing: it enrols who enters (each contact once)."""
    if drip.event_type:
        events = Event.objects.filter(
            type=drip.event_type, occurred_at__gte=now - ENTRY_WINDOW, occurred_at__lte=now
        )
        allowed = eligible(drip, Contact.objects.filter(pk__in=events.values("contact")), now=now)
        entries = (
            events.filter(contact__in=allowed.values("pk"))
            .values("contact")
            .annotate(entered_at=Min("occurred_at"))
            .values_list("contact", "entered_at")
        )
    else:
        audience = rolling_audience(drip, now=now, day=timezone.localdate(now))
        enrolled = DripEnrollment.objects.filter(drip=drip, contact=OuterRef("pk"))
        newcomers = audience.exclude(Exists(enrolled)).values_list("pk", flat=True)
        entries = ((pk, now) for pk in newcomers.iterator(BATCH))
    rows = [DripEnrollment(drip=drip, contact_id=pk, entered_at=at) for pk, at in entries]
    for start in range(0, len(rows), BATCH):
        DripEnrollment.objects.bulk_create(rows[start : start + BATCH], ignore_conflicts=True)
    return iter(())


def plan_step(step: Campaign, now: dt.datetime, immediate: bool) -> Iterator[Planned]:
    """This step's message for each contact still in the drip whose day has come."""
    drip = step.drip
    if drip is None or not drip.enabled:
        return
    reached = DripEnrollment.objects.filter(
        drip=drip,
        exited_at__isnull=True,
        entered_at__lte=now - dt.timedelta(days=step.step_day),
    )
    let_go(drip, reached, now=now)
    occurrence = Concat(Value("drip:"), Cast(OuterRef("pk"), output_field=CharField()))
    sent = Message.objects.filter(campaign=step, contact=OuterRef("contact"), occurrence=occurrence)
    due = reached.filter(exited_at__isnull=True).exclude(Exists(sent))
    rows = due.values_list("pk", "contact", "contact__timezone", "entered_at")
    for enrollment_id, contact_id, zone_name, entered_at in rows.iterator(BATCH):
        due_at = now if immediate else schedule.next_sending_time(now, step.send_hour, zone_name)
        reason = f"Drip {drip.slug}, day {step.step_day} (entered {entered_at:%Y-%m-%d})"
        yield Planned(contact_id, f"drip:{enrollment_id}", due_at, reason)


def let_go(drip: Campaign, enrollments: QuerySet[DripEnrollment], *, now: dt.datetime) -> None:
    """Mark who leaves the drip now, each with the first reason that applies."""
    for reason, condition in exit_conditions(drip, now=now):
        leaving = enrollments.filter(exited_at__isnull=True).alias(
            entered_day=TruncDate("entered_at")
        )
        DripEnrollment.objects.filter(pk__in=leaving.filter(condition).values("pk")).update(
            exited_at=now, exit_reason=reason
        )


def still_in(message: Message, *, now: dt.datetime) -> str:
    """Checked again just before a step is sent: "" if its contact is still in the drip,
    else why it left (the step may have waited for the morning, or for the frequency cap)."""
    enrollment_id = message.occurrence.removeprefix("drip:")
    if not enrollment_id.isdigit() or message.campaign.drip_id is None:
        return ""
    enrollment = DripEnrollment.objects.filter(pk=int(enrollment_id))
    let_go(message.campaign.drip, enrollment, now=now)
    left = enrollment.exclude(exited_at__isnull=True).values_list("exit_reason", flat=True)
    return next(iter(left), "")


def exit_conditions(drip: Campaign, *, now: dt.datetime) -> list[tuple[str, Q]]:
    field = UNSUBSCRIBED_FIELD[Category(drip.category)]
    conditions = [
        (
            "unsubscribed or withdrew consent",
            Q(contact__email_consent=False)
            | Q(**{f"contact__{field}__isnull": False})
            | Q(listed(drip.category, "contact__email")),
        )
    ]
    if drip.goal_event:
        goal = Event.objects.filter(
            type=drip.goal_event,
            contact=OuterRef("contact"),
            occurred_at__gte=OuterRef("entered_at"),
        )
        conditions.append((f"reached the goal ({drip.goal_event})", Q(Exists(goal))))
    if drip.exit_when_customer:
        # A customer now who was not one on the day it entered (first-time or returning).
        paying = Subscription.objects.filter(account=OuterRef("contact__account"), mrr__gt=0)
        now_paying = paying.filter(active_on_q(timezone.localdate(now)))
        paid_on_entry = paying.filter(active_on_q(OuterRef("entered_day")))
        conditions.append(("became a customer", Q(Exists(now_paying)) & ~Q(Exists(paid_on_entry))))
    if drip.exit_when_answered and "answered" in EXIT_CONDITIONS:
        conditions.append(("answered a survey", Q(EXIT_CONDITIONS["answered"]())))
    return conditions
