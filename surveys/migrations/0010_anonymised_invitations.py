"""An erased contact's sent invitations stay, anonymised, for the survey response rate
(lifecycle.ops.personal_data): Invitation.contact becomes nullable.

Going back, the old schema cannot hold them: the anonymised invitations are dropped first
(their answers stay, no longer linked to an invitation)."""

import django.db.models.deletion
from django.db import migrations, models


def drop_anonymised_invitations(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Check the foreign keys of what is deleted now: PostgreSQL refuses to alter a table
        # with checks pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    apps.get_model("surveys", "Invitation").objects.filter(contact__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_plain_text_validators"),
        ("surveys", "0009_anonymised_answers"),
    ]

    operations = [
        migrations.AlterField(
            model_name="invitation",
            name="contact",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="invitations",
                to="accounts.contact",
                verbose_name="contact",
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, drop_anonymised_invitations),
    ]
