"""Survey history for the demo data: NPS each quarter and CSAT now and then, per contact.

Scores lean on the account's story (accounts that churn answer lower), so the dashboards
show a believable relation between satisfaction and retention. Low answers have their
follow-up item, as live ones would: older ones mostly closed with the owner's note, recent
ones mostly open, most assigned to the account owner.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

from accounts.models import Contact, Subscription
from surveys import scoring
from surveys.models import (
    FollowUp,
    FollowUpComment,
    FollowUpStatus,
    Response,
    ResponseSource,
    Survey,
    join_reasons,
)
from surveys.services import reasons_for

RESPONSE_PREFIX = "demo-res-"
NPS_ANSWER_SHARE = 0.35  # share of contacts answering each quarter's NPS
CSAT_PER_QUARTER = 0.5
COMMENT_SHARE = 0.45
BATCH_SIZE = 500
# Follow-up items: recent ones are mostly still open, older ones mostly closed with a note.
OPEN_RECENT_SHARE = 0.75
OPEN_OLDER_SHARE = 0.05
UNASSIGNED_SHARE = 0.1
NOTE_ON_OPEN_SHARE = 0.3

COMMENTS = {
    "en": {
        "low": [
            "Support takes days to answer.",
            "Too expensive for what we use.",
            "Reports are slow.",
        ],
        "neutral": ["Does the job.", "Good, but onboarding was long.", "Fine overall."],
        "high": ["Great support team!", "Saves us hours every week.", "Easy to use, love it."],
    },
    "es": {
        "low": ["El soporte tarda días en responder.", "Demasiado caro para lo que usamos."],
        "neutral": ["Cumple su función.", "Bien, pero la incorporación fue larga."],
        "high": ["¡Excelente equipo de soporte!", "Nos ahorra horas cada semana."],
    },
    "ru": {
        "low": ["Поддержка отвечает несколько дней.", "Слишком дорого для наших задач."],
        "neutral": ["Справляется с задачей.", "Хорошо, но внедрение было долгим."],
        "high": ["Отличная поддержка!", "Экономит нам часы каждую неделю."],
    },
}


CLOSING_NOTES = [
    "Called them: a one-off delay on our side, they are happy again.",
    "Walked their admin through the reports; they had missed the export.",
    "Moved them to a plan that fits how they use us.",
    "Support escalated their ticket and fixed it; thanked them for the feedback.",
    "Shared the roadmap for the feature they miss; they will wait for it.",
    "Met them on site; the new team lead had not been onboarded.",
]
OPEN_NOTES = [
    "Left a voicemail, trying again on Thursday.",
    "Asked support for the history of their tickets before calling.",
    "Call booked for next week.",
]


def delete_survey_demo() -> int:
    demo_answers = Response.objects.filter(external_id__startswith=RESPONSE_PREFIX)
    # Items outlive a deleted answer (their notes are staff's work): the demo's go with it.
    items = FollowUp.objects.filter(response__in=demo_answers).delete()[0]
    return items + demo_answers.delete()[0]


def paying_spans(subscriptions: Iterable[Subscription], today: dt.date) -> dict[int, list]:
    spans: dict[int, list] = defaultdict(list)
    for subscription in subscriptions:
        if subscription.mrr > 0:
            spans[subscription.account_id].append(
                (subscription.started_on, subscription.ended_on or today)
            )
    return spans


RECENT = dt.timedelta(days=30)


def add_survey_history(
    rng: random.Random, *, contacts: list[Contact], subscriptions: list[Subscription], today
) -> int:
    """Insert demo answers for `contacts` (already saved); returns how many."""
    surveys = {survey.kind: survey for survey in Survey.objects.filter(slug__in=["nps", "csat"])}
    if len(surveys) < 2:
        return 0
    spans = paying_spans(subscriptions, today)
    churners = {s.account_id for s in subscriptions if s.cancel_type}
    rows: list[Response] = []
    for contact in contacts:
        for start, end in spans.get(contact.account_id, []):
            mood = -2.5 if contact.account_id in churners else 0.0
            rows += _answers(rng, contact, surveys, start, min(end, today), mood)
    recent = timezone.make_aware(dt.datetime.combine(today - RECENT, dt.time()))
    for number, row in enumerate(rows, start=1):
        row.external_id = f"{RESPONSE_PREFIX}{number:07d}"
        if row.submitted_at >= recent:
            # The last weeks' answers came by email, as live answers do: promoters among
            # them get the referral request.
            row.source = ResponseSource.EMAIL
    Response.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    _add_follow_ups(rng, rows, recent=recent)
    return len(rows)


def _add_follow_ups(rng: random.Random, rows: list[Response], *, recent: dt.datetime) -> None:
    """One item per answer that needs one (saved answers: bulk_create gave them ids)."""
    now = timezone.now()
    previous: dict[tuple[int, str], int] = {}
    items: list[FollowUp] = []
    notes: list[tuple[FollowUp, int | None, str, dt.datetime]] = []
    for row in sorted(rows, key=lambda r: (r.submitted_at, r.external_id)):
        reasons = reasons_for(row.kind, row.score, previous.get((row.contact_id, row.kind)))
        previous[row.contact_id, row.kind] = row.score
        if reasons:
            item = _follow_up(rng, row, reasons, recent=recent, now=now)
            items.append(item)
            notes += _note(rng, item, owner_id=row.contact.account.owner_id, now=now)
    FollowUp.objects.bulk_create(items, batch_size=BATCH_SIZE)
    FollowUpComment.objects.bulk_create(
        [
            FollowUpComment(follow_up_id=item.pk, author_id=author_id, body=body, created_at=at)
            for item, author_id, body, at in notes
        ],
        batch_size=BATCH_SIZE,
    )


def _follow_up(
    rng: random.Random, row: Response, reasons: list[str], *, recent: dt.datetime, now: dt.datetime
) -> FollowUp:
    opened_at = row.submitted_at + dt.timedelta(minutes=rng.randint(1, 20))
    open_share = OPEN_RECENT_SHARE if row.submitted_at >= recent else OPEN_OLDER_SHARE
    item = FollowUp(
        account_id=row.account_id,
        response_id=row.pk,
        reasons=join_reasons(reasons),
        assignee_id=None if rng.random() < UNASSIGNED_SHARE else row.contact.account.owner_id,
        opened_at=opened_at,
    )
    if rng.random() >= open_share:
        item.status = FollowUpStatus.CLOSED
        worked = dt.timedelta(days=rng.randint(0, 9), hours=rng.randint(1, 8))
        item.closed_at = min(opened_at + worked, now)
    return item


def _note(
    rng: random.Random, item: FollowUp, *, owner_id: int | None, now: dt.datetime
) -> list[tuple[FollowUp, int | None, str, dt.datetime]]:
    """The owner's note: why a closed item was closed, now and then progress on an open one."""
    author_id = item.assignee_id or owner_id
    if item.status == FollowUpStatus.CLOSED:
        return [(item, author_id, rng.choice(CLOSING_NOTES), item.closed_at)]
    if item.assignee_id and rng.random() < NOTE_ON_OPEN_SHARE:
        at = min(item.opened_at + dt.timedelta(hours=rng.randint(1, 30)), now)
        return [(item, author_id, rng.choice(OPEN_NOTES), at)]
    return []


def _answers(rng, contact, surveys, start: dt.date, end: dt.date, mood: float) -> list[Response]:
    answers = []
    day = start + dt.timedelta(days=rng.randint(20, 80))
    while day < end:
        if rng.random() < NPS_ANSWER_SHARE:
            score = _clamp(round(rng.gauss(8.2 + mood, 2.0)), 0, 10)
            answers.append(_response(rng, contact, surveys["nps"], day, score))
        if rng.random() < CSAT_PER_QUARTER:
            csat_day = day + dt.timedelta(days=rng.randint(1, 60))
            if csat_day < end:
                score = _clamp(round(rng.gauss(4.1 + mood / 2, 0.9)), 1, 5)
                answers.append(_response(rng, contact, surveys["csat"], csat_day, score))
        day += dt.timedelta(days=91)
    return answers


def _response(rng, contact: Contact, survey: Survey, day: dt.date, score: int) -> Response:
    language = contact.language if contact.language in COMMENTS else "en"
    band = scoring.band(survey.kind, score)
    comment = rng.choice(COMMENTS[language][band.value]) if rng.random() < COMMENT_SHARE else ""
    moment = dt.datetime.combine(day, dt.time(rng.randint(8, 19), rng.randint(0, 59)))
    return Response(
        survey=survey,
        kind=survey.kind,
        contact=contact,
        account_id=contact.account_id,
        score=score,
        comment=comment,
        language=language,
        source=ResponseSource.IMPORT,
        submitted_at=timezone.make_aware(moment),
        # Old answers already had their follow-up: no alert for history.
        owner_alerted_at=timezone.make_aware(moment),
    )


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))
