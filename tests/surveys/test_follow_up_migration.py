"""Upgrading follow-up items to one item per answer (surveys 0005-0007), and going back:
no item's work is lost, and the two items of one answer become one with both reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.migrations import migrate, migrate_to_latest

BEFORE = [("surveys", "0004_queue_pending_owner_alerts")]
AFTER = [("surveys", "0007_drop_follow_up_reason_and_responses")]
WHEN = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def back_to_latest():
    yield
    migrate_to_latest()


class Old:
    """Rows of the release before: items with one reason and many responses."""

    def __init__(self, apps):
        self.apps = apps
        self.owner = apps.get_model("auth", "User").objects.create(username="owner")
        self.account = apps.get_model("accounts", "Account").objects.create(
            name="Acme", owner=self.owner
        )
        self.survey = apps.get_model("surveys", "Survey").objects.get(slug="nps")

    def answer(self, score: int, *, days_ago: int = 0, email: str = "ana@acme.test"):
        contact = self.apps.get_model("accounts", "Contact").objects.create(
            account=self.account, email=email
        )
        return self.apps.get_model("surveys", "Response").objects.create(
            survey=self.survey,
            kind="nps",
            contact=contact,
            account=self.account,
            score=score,
            submitted_at=WHEN - dt.timedelta(days=days_ago),
        )

    def item(self, reason: str, *responses, **fields):
        item = self.apps.get_model("surveys", "FollowUp").objects.create(
            account=self.account, reason=reason, **fields
        )
        item.responses.add(*responses)
        return item

    def comment(self, item, body: str):
        return self.apps.get_model("surveys", "FollowUpComment").objects.create(
            follow_up=item, author=self.owner, body=body
        )


def items_of(apps):
    return apps.get_model("surveys", "FollowUp").objects.order_by("pk")


def test_the_two_items_of_one_answer_become_one_item_with_both_reasons():
    old = Old(migrate(BEFORE))
    answer = old.answer(3)
    detractor = old.item("detractor", answer, assignee=old.owner)
    drop = old.item("score_drop", answer)
    old.comment(detractor, "Called them")
    old.comment(drop, "They want a discount")

    new = migrate(AFTER)

    (item,) = items_of(new)
    assert item.pk == detractor.pk
    assert (item.response_id, item.reasons) == (answer.pk, "detractor,score_drop")
    assert (item.status, item.assignee_id) == ("open", old.owner.pk)
    assert sorted(item.comments.values_list("body", flat=True)) == [
        "Called them",
        "They want a discount",
    ]


def test_merged_items_stay_open_while_one_of_them_was_open():
    old = Old(migrate(BEFORE))
    answer = old.answer(2)
    old.item("detractor", answer, status="closed", closed_at=WHEN)
    old.item("score_drop", answer)

    (item,) = items_of(migrate(AFTER))

    assert (item.status, item.closed_at) == ("open", None)


def test_an_item_of_several_answers_keeps_its_work_on_the_latest_and_names_the_others():
    old = Old(migrate(BEFORE))
    first = old.answer(4, days_ago=40, email="ana@acme.test")
    latest = old.answer(1, days_ago=2, email="bob@acme.test")
    shared = old.item("detractor", first, latest, status="closed", closed_at=WHEN)
    old.comment(shared, "Fixed their export")

    new = migrate(AFTER)

    (item,) = items_of(new)
    assert (item.pk, item.response_id, item.reasons) == (shared.pk, latest.pk, "detractor")
    assert (item.status, item.closed_at) == ("closed", WHEN)
    notes = list(item.comments.order_by("pk").values_list("body", flat=True))
    assert notes[0] == "Fixed their export"
    assert "2026-01-21 NPS 4 (ana@acme.test)" in notes[1]
    assert "bob@acme.test" not in notes[1]


def test_an_item_added_by_hand_keeps_its_reason_without_an_answer():
    old = Old(migrate(BEFORE))
    old.item("unhappy")

    (item,) = items_of(migrate(AFTER))

    assert (item.response_id, item.reasons) == (None, "unhappy")


def test_going_back_gives_each_reason_its_item_and_one_open_item_per_reason():
    new = migrate(AFTER)
    models = Old(new)
    both = models.answer(3, days_ago=5)
    later = models.answer(2, days_ago=1, email="bob@acme.test")
    follow_ups = new.get_model("surveys", "FollowUp").objects
    follow_ups.create(
        account=models.account, response=both, reasons="detractor,score_drop", opened_at=WHEN
    )
    newest = follow_ups.create(
        account=models.account,
        response=later,
        reasons="detractor",
        opened_at=WHEN + dt.timedelta(days=4),
    )

    old = migrate(BEFORE)

    rows = [
        (item.reason, item.status, sorted(item.responses.values_list("pk", flat=True)))
        for item in items_of(old)
    ]
    assert sorted(rows) == sorted(
        [
            ("detractor", "closed", [both.pk]),  # the newer detractor item stays open
            ("score_drop", "open", [both.pk]),
            ("detractor", "open", [later.pk]),
        ]
    )
    assert items_of(old).get(pk=newest.pk).status == "open"
