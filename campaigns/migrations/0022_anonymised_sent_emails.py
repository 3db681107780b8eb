"""An erased contact's sent emails stay, anonymised, for the email metrics
(lifecycle.ops.personal_data): Message.erased_contact_account keeps the account for the
segment filters, the constraints admit a sent message with neither contact nor address, and
an unsubscribe outlives its contact.

Going back, the old schema cannot hold them: the anonymised emails and unsubscribes are
dropped first (the metrics of their periods then lose them)."""

import django.db.models.deletion
from django.db import migrations, models


def drop_anonymised(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Check the foreign keys of what is deleted now: PostgreSQL refuses to alter a table
        # with checks pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    apps.get_model("campaigns", "Unsubscription").objects.filter(contact__isnull=True).delete()
    apps.get_model("campaigns", "Message").objects.filter(
        erased_contact_account__isnull=False
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_plain_text_validators"),
        ("campaigns", "0021_suppression_by_address_hash"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="message",
            name="notification_once_per_occurrence",
        ),
        migrations.RemoveConstraint(
            model_name="message",
            name="message_has_a_recipient",
        ),
        migrations.AddField(
            model_name="message",
            name="erased_contact_account",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.account",
                verbose_name="account of the erased contact",
            ),
        ),
        migrations.AlterField(
            model_name="unsubscription",
            name="contact",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="unsubscriptions",
                to="accounts.contact",
                verbose_name="contact",
            ),
        ),
        migrations.AddConstraint(
            model_name="message",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("contact__isnull", True), ("erased_contact_account__isnull", True)
                ),
                fields=("email", "occurrence"),
                name="notification_once_per_occurrence",
            ),
        ),
        migrations.AddConstraint(
            model_name="message",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("contact__isnull", False),
                        ("campaign__isnull", False),
                        ("erased_contact_account__isnull", True),
                    ),
                    models.Q(
                        ("contact__isnull", True),
                        models.Q(("recipient", ""), _negated=True),
                        ("erased_contact_account__isnull", True),
                    ),
                    models.Q(
                        ("contact__isnull", True),
                        ("recipient", ""),
                        ("campaign__isnull", False),
                        ("erased_contact_account__isnull", False),
                        ("status", "sent"),
                    ),
                    _connector="OR",
                ),
                name="message_has_a_recipient",
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, drop_anonymised),
    ]
