"""Follow-up items get the response they are about and a list of reasons (filled from the
old single reason and responses by 0006; 0007 drops those). The rule of one open item per
account and reason goes: each answer has its own item now."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("surveys", "0004_queue_pending_owner_alerts")]

    operations = [
        migrations.RemoveConstraint(model_name="followup", name="follow_up_one_open_per_reason"),
        migrations.AddField(
            model_name="followup",
            name="reasons",
            field=models.CharField(default="", max_length=100, verbose_name="reasons"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="followup",
            name="response",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="follow_up",
                to="surveys.response",
                verbose_name="response",
            ),
        ),
        migrations.AlterField(
            model_name="followup",
            name="opened_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="opened at"),
        ),
        migrations.AlterField(
            model_name="followupcomment",
            name="created_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="created at"
            ),
        ),
    ]
