"""What the layers above campaigns plug into it, registered in their AppConfig.ready().

Campaigns knows nothing of surveys (or any later kind of campaign content): a content kind
tells the planner which email a campaign's messages use, narrows who may get them, and may
plan messages of its own (survey reminders). A trigger's planner says who a campaign of that
trigger emails and when (campaigns.rules holds campaigns' own; surveys adds the promoters').
The pipeline's `@builder` works the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, QuerySet

from campaigns.models import Campaign
from campaigns.planning import Planned


@dataclass(frozen=True)
class Content:
    """One kind of campaign content, such as a survey."""

    # The email template of the campaign's messages, or None when the campaign is not this kind.
    email_for: Callable[[Campaign], str | None]
    # Narrows contacts (already reachable) to those this content may go to now.
    audience: Callable[[Campaign, QuerySet, dt.datetime], QuerySet]
    # Queues follow-up messages (reminders); returns how many it created.
    plan: Callable[[Campaign, dt.datetime], int]
    # What the campaign still lacks before it can send (a link its content uses), or "".
    missing: Callable[[Campaign], str] = field(default=lambda campaign: "")


CONTENTS: list[Content] = []


def register(content: Content) -> None:
    if content not in CONTENTS:
        CONTENTS.append(content)


def content_of(campaign: Campaign) -> tuple[Content, str] | None:
    """The content kind a campaign sends and its email template, if any kind claims it."""
    for content in CONTENTS:
        email = content.email_for(campaign)
        if email:
            return content, email
    return None


# (campaign, now, immediate) -> the messages the trigger's rule plans; `immediate` is
# send_campaign's "today's matches, due now".
Planner = Callable[[Campaign, dt.datetime, bool], Iterable[Planned]]
PLANNERS: dict[str, Planner] = {}


def register_planner(trigger: str, planner: Planner) -> None:
    PLANNERS[trigger] = planner


@dataclass(frozen=True)
class Outcome:
    """Something a contact does after a campaign's message (or would have, held out), that
    its holdout comparison measures (campaigns.holdouts)."""

    key: str
    label: str
    # An Exists over the outer Message row: did it happen within `window` after due_at?
    happened: Callable[[dt.timedelta], Exists]
    # Only a sent email can cause it (a click): no comparison with the held-out group.
    sent_only: bool = False
    # Whether it says anything about this campaign (answering NPS says nothing about an NPS
    # survey campaign, whose email is the question).
    applies: Callable[[Campaign], bool] = field(default=lambda campaign: True)


OUTCOMES: list[Outcome] = []


def register_outcome(outcome: Outcome) -> None:
    if all(known.key != outcome.key for known in OUTCOMES):
        OUTCOMES.append(outcome)


# Audience criteria an upper layer computes: "nps_band" (surveys) narrows contacts to those
# whose latest NPS answer is in a band.
ContactCriterion = Callable[[QuerySet, str], QuerySet]
CONTACT_CRITERIA: dict[str, ContactCriterion] = {}


def register_contact_criterion(name: str, criterion: ContactCriterion) -> None:
    CONTACT_CRITERIA[name] = criterion


# Why a contact leaves a nurture drip, computed by an upper layer: "answered" (surveys) is an
# Exists over the outer DripEnrollment row (its contact answered since it entered).
EXIT_CONDITIONS: dict[str, Callable[[], Exists]] = {}


def register_exit_condition(name: str, condition: Callable[[], Exists]) -> None:
    EXIT_CONDITIONS[name] = condition


# Called by the pipeline after a contact's message is sent (surveys: a detractor asked for a
# review gets a support follow-up). A hook that fails is logged, never unsends anything.
SentHook = Callable[[Campaign, int], None]  # (the message's campaign, its contact's id)
SENT_HOOKS: list[SentHook] = []


def register_sent_hook(hook: SentHook) -> None:
    if hook not in SENT_HOOKS:
        SENT_HOOKS.append(hook)
