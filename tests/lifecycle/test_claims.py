"""The one claim and backoff helper that campaign messages and webhook deliveries share."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaigns.models import Message, MessageStatus
from lifecycle.lib.claims import backoff, claim
from tests.factories import MessageFactory

MINUTE = dt.timedelta(minutes=1)


@given(attempts=st.integers(min_value=1, max_value=40))
def test_each_failed_attempt_doubles_the_wait_up_to_the_cap(attempts):
    cap = dt.timedelta(hours=6)

    wait, following = backoff(attempts, cap=cap), backoff(attempts + 1, cap=cap)

    assert MINUTE <= wait <= cap
    assert following == min(wait * 2, cap)


def test_the_first_wait_is_the_given_one():
    assert backoff(1, first=2 * MINUTE) == 2 * MINUTE
    assert backoff(3, first=2 * MINUTE) == 8 * MINUTE


@pytest.mark.django_db
def test_only_the_first_of_two_claims_of_one_row_wins():
    message = MessageFactory()
    queued = Message.objects.filter(pk=message.pk, status=MessageStatus.QUEUED)

    first = claim(queued, status=MessageStatus.SENDING)
    second = claim(queued, status=MessageStatus.SENDING)

    assert (first, second) == (True, False)
