"""An answer outlives its contact, anonymised, when the person's data is erased
(lifecycle.ops.personal_data): Response.contact becomes nullable, SET_NULL.

Going back, the old schema cannot hold an answer without a contact: anonymised answers are
dropped first (the metrics of their periods then lose them)."""

import django.db.models.deletion
from django.db import migrations, models


def drop_anonymised_answers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Check the foreign keys of what is deleted now, not at the end of the transaction:
        # PostgreSQL refuses to alter a table with checks pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    apps.get_model("surveys", "Response").objects.filter(contact__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_leads"),
        ("surveys", "0008_plain_text_validators"),
    ]

    operations = [
        migrations.AlterField(
            model_name="response",
            name="contact",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="responses",
                to="accounts.contact",
                verbose_name="contact",
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, drop_anonymised_answers),
    ]
