"""Messages get an address recipient (notifications to staff: no contact, no campaign)."""

import django.db.models.deletion
from django.db import migrations, models


def drop_notifications(apps, schema_editor):
    # Going back: the old schema has no room for a message without a contact.
    apps.get_model("campaigns", "Message").objects.filter(contact__isnull=True).delete()
    if schema_editor.connection.vendor == "postgresql":
        # Fire the deletion's deferred foreign-key checks now: PostgreSQL refuses to ALTER a
        # table with pending trigger events in the same transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("campaigns", "0004_survey_moved_to_surveys"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="recipient",
            field=models.EmailField(blank=True, max_length=254, verbose_name="recipient"),
        ),
        migrations.AlterField(
            model_name="message",
            name="campaign",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="messages",
                to="campaigns.campaign",
                verbose_name="campaign",
            ),
        ),
        migrations.AlterField(
            model_name="message",
            name="contact",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="messages",
                to="accounts.contact",
                verbose_name="contact",
            ),
        ),
        migrations.AddConstraint(
            model_name="message",
            constraint=models.UniqueConstraint(
                condition=models.Q(("contact__isnull", True)),
                fields=("email", "occurrence"),
                name="notification_once_per_occurrence",
            ),
        ),
        migrations.AddConstraint(
            model_name="message",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("contact__isnull", False), ("campaign__isnull", False)),
                    models.Q(("contact__isnull", True), models.Q(("recipient", ""), _negated=True)),
                    _connector="OR",
                ),
                name="message_has_a_recipient",
            ),
        ),
        # Last, so that going back it runs first, before contact is NOT NULL again.
        migrations.RunPython(migrations.RunPython.noop, drop_notifications),
    ]
