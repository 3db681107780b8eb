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

from accounts.models import Contact, first_customer_day
from campaigns import schedule
from campaigns.audience import eligible, reachable, rolling_audience
from campaigns.extensions import EXIT_CONDITIONS
from campaigns.models import Campaign, DripEnrollment, Event, Message
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
        entries = ((pk, now) for pk in audience.values_list("pk", flat=True).iterator(BATCH))
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
        enrollments.filter(exited_at__isnull=True).filter(condition).update(
            exited_at=now, exit_reason=reason
        )


def exit_conditions(drip: Campaign, *, now: dt.datetime) -> list[tuple[str, Q]]:
    conditions = [
        (
            "unsubscribed or withdrew consent",
            ~Q(contact__in=reachable(drip).values("pk")),
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
        became = (
            DripEnrollment.objects.filter(pk=OuterRef("pk"))
            .alias(first_day=first_customer_day("contact__account"))
            .filter(first_day__gte=TruncDate("entered_at"), first_day__lte=timezone.localdate(now))
        )
        conditions.append(("became a customer", Q(Exists(became))))
    if drip.exit_when_answered and "answered" in EXIT_CONDITIONS:
        conditions.append(("answered a survey", Q(EXIT_CONDITIONS["answered"]())))
    return conditions
