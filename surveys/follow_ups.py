"""What staff do with a follow-up item: assign it, comment on it, close it, reopen it.

State changes are conditional UPDATEs, so two people pressing "Close" at once close the item
once, and reopening cannot break the rule of one open item per account and reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from surveys.models import FollowUp, FollowUpComment, FollowUpStatus


class AlreadyOpen(Exception):
    """Another item of the same account and reason is open: work on that one instead."""

    def __init__(self, other: FollowUp | None) -> None:
        super().__init__("another follow-up item of this account and reason is open")
        self.other = other


def assign(follow_up: FollowUp, *, assignee: Any | None) -> None:
    follow_up.assignee = assignee
    follow_up.save(update_fields=["assignee"])


def add_comment(follow_up: FollowUp, *, author: Any, body: str) -> FollowUpComment:
    return FollowUpComment.objects.create(follow_up=follow_up, author=author, body=body)


def close(follow_up: FollowUp, *, now: dt.datetime) -> bool:
    """Close an open item; False when it was already closed."""
    changed = FollowUp.objects.filter(pk=follow_up.pk, status=FollowUpStatus.OPEN).update(
        status=FollowUpStatus.CLOSED, closed_at=now
    )
    return changed == 1


def other_open_item(follow_up: FollowUp) -> FollowUp | None:
    return (
        FollowUp.objects.filter(
            account=follow_up.account_id, reason=follow_up.reason, status=FollowUpStatus.OPEN
        )
        .exclude(pk=follow_up.pk)
        .first()
    )


def reopen(follow_up: FollowUp) -> bool:
    """Reopen a closed item; False when it was already open.

    Raises AlreadyOpen when the account has another open item for the same reason (a new
    answer opened one since): the database constraint decides, so a race cannot slip by."""
    try:
        with transaction.atomic():
            changed = FollowUp.objects.filter(pk=follow_up.pk, status=FollowUpStatus.CLOSED).update(
                status=FollowUpStatus.OPEN, closed_at=None
            )
    except IntegrityError as exc:
        raise AlreadyOpen(other_open_item(follow_up)) from exc
    return changed == 1
