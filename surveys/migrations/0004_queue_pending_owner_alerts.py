"""Owner alerts that the old alert_owner task had not sent yet become queued Messages.

The old task marked owner_alerted_at before sending, so an answer without it was never
alerted: queuing it now cannot alert anyone twice."""

from django.db import migrations
from django.utils import timezone


def queue_pending(apps, schema_editor):
    response_model = apps.get_model("surveys", "Response")
    message_model = apps.get_model("campaigns", "Message")
    now = timezone.now()
    pending = (
        response_model.objects.filter(owner_alerted_at__isnull=True, follow_ups__isnull=False)
        .exclude(account__owner__isnull=True)
        .exclude(account__owner__email="")
        .select_related("account__owner")
        .distinct()
    )
    for response in pending.iterator(chunk_size=500):
        alert = message_model.objects.create(
            recipient=response.account.owner.email,
            email="owner-alert",
            occurrence=f"owner-alert:{response.pk}",
            due_at=now,
        )
        response_model.objects.filter(pk=response.pk).update(
            owner_alerted_at=now, owner_alert=alert
        )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0003_owner_alert_message")]

    operations = [migrations.RunPython(queue_pending, migrations.RunPython.noop)]
