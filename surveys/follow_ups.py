"""What staff do with a follow-up item: assign it, comment on it, close it, reopen it.

State changes are conditional UPDATEs, so two people pressing "Close" at once close the item
once. Each item belongs to one answer, so reopening never competes with another item.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from surveys.models import FollowUp, FollowUpComment, FollowUpStatus


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


def reopen(follow_up: FollowUp) -> bool:
    """Reopen a closed item; False when it was already open."""
    changed = FollowUp.objects.filter(pk=follow_up.pk, status=FollowUpStatus.CLOSED).update(
        status=FollowUpStatus.OPEN, closed_at=None
    )
    return changed == 1
