"""Existing follow-up items become one item per answer, keeping all the work staff did.

Before, an answer joined the account's open item of each of its reasons, so one item could
hold several answers and one answer could sit in two items (a detractor whose score dropped:
"NPS detractor" and "Score dropped"). Now:

- An item is attached to its latest answer (by submitted time). It is not split into one
  item per answer: its status, assignee and comments are one piece of work, and splitting
  would copy that work onto items nobody worked on. The earlier answers it held are listed
  in a comment on it, so they stay in sight on the item's page.
- Items that end up on the same answer (the two items of one bad answer) become one, listing
  both reasons: the oldest item stays, the others' comments move to it, it is open if any was
  open, assigned as the first assigned one, opened when the first was opened.
- An item without answers (added in admin) keeps no answer, with its reason.

Going back restores one reason per item (an item of two reasons becomes two items) and the
old rule of one open item per account and reason: of several open, the newest stays open
and the others are closed.
"""

from collections import defaultdict

from django.db import migrations
from django.utils import timezone

ORDER = ["detractor", "unhappy", "score_drop"]  # FollowUpReason, as the app stores them


def join_reasons(reasons):
    return ",".join(code for code in ORDER if code in set(reasons))


def latest_answers(through):
    """{item id: its answers' ids, latest first}."""
    answers = defaultdict(list)
    rows = through.objects.order_by("-response__submitted_at", "-response_id").values_list(
        "followup_id", "response_id"
    )
    for item_id, response_id in rows.iterator(chunk_size=2000):
        answers[item_id].append(response_id)
    return answers


def one_item_per_response(apps, schema_editor):
    follow_up_model = apps.get_model("surveys", "FollowUp")
    comment_model = apps.get_model("surveys", "FollowUpComment")
    response_model = apps.get_model("surveys", "Response")
    answers = latest_answers(follow_up_model.responses.through)
    groups = defaultdict(list)  # latest answer: its items, oldest first
    for item in follow_up_model.objects.order_by("pk").iterator(chunk_size=2000):
        held = answers.get(item.pk)
        if held:
            groups[held[0]].append(item)
        else:
            item.reasons = join_reasons([item.reason or "detractor"])
            item.save(update_fields=["reasons"])
    for response_id, items in groups.items():
        earlier = {pk for item in items for pk in answers[item.pk][1:]} - {response_id}
        kept = merge(items, response_id, comment_model)
        if earlier:
            note_earlier_answers(kept, earlier, response_model, comment_model)


def merge(items, response_id, comment_model):
    kept, others = items[0], items[1:]
    kept.response_id = response_id
    kept.reasons = join_reasons([item.reason or "detractor" for item in items])
    if others:
        still_open = [item for item in items if item.status == "open"]
        kept.status = "open" if still_open else "closed"
        kept.closed_at = (
            None if still_open else max(item.closed_at or kept.opened_at for item in items)
        )
        kept.opened_at = min(item.opened_at for item in items)
        kept.assignee_id = next((i.assignee_id for i in items if i.assignee_id), None)
        others_ids = [item.pk for item in others]
        comment_model.objects.filter(follow_up_id__in=others_ids).update(follow_up_id=kept.pk)
        type(kept).objects.filter(pk__in=others_ids).delete()
    kept.save()
    return kept


def note_earlier_answers(item, response_ids, response_model, comment_model):
    answers = (
        response_model.objects.filter(pk__in=response_ids)
        .order_by("submitted_at", "pk")
        .values_list("submitted_at", "kind", "score", "contact__email")
    )
    lines = [
        f"- {when:%Y-%m-%d} {kind.upper()} {score} ({email})"
        for when, kind, score, email in answers
    ]
    if lines:
        comment_model.objects.create(
            follow_up=item,
            author=None,
            body="Before each answer had its own item, this item also held:\n" + "\n".join(lines),
            created_at=timezone.now(),
        )


def one_item_per_reason(apps, schema_editor):
    follow_up_model = apps.get_model("surveys", "FollowUp")
    for item in list(follow_up_model.objects.order_by("pk")):  # not the twins made below
        first, *more = [code for code in item.reasons.split(",") if code] or ["detractor"]
        item.reason = first
        item.save(update_fields=["reason"])
        if item.response_id:
            item.responses.add(item.response_id)
        for reason in more:
            twin = follow_up_model.objects.create(
                account_id=item.account_id,
                reason=reason,
                reasons=reason,
                status=item.status,
                assignee_id=item.assignee_id,
                opened_at=item.opened_at,
                closed_at=item.closed_at,
            )
            if item.response_id:
                twin.responses.add(item.response_id)
    seen = set()
    now = timezone.now()
    newest_first = follow_up_model.objects.filter(status="open").order_by("-opened_at", "-pk")
    for item in newest_first.iterator(chunk_size=2000):
        key = (item.account_id, item.reason)
        if key in seen:
            follow_up_model.objects.filter(pk=item.pk).update(status="closed", closed_at=now)
        seen.add(key)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0005_follow_up_per_response")]

    operations = [migrations.RunPython(one_item_per_response, one_item_per_reason)]
