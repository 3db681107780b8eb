"""The old single reason and the many responses of a follow-up item go (0006 copied them);
every item names at least one reason."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("surveys", "0006_one_follow_up_per_response")]

    operations = [
        # A default only so that going back can add the column to existing rows (0006's
        # reverse then writes each item's reason).
        migrations.AlterField(
            model_name="followup",
            name="reason",
            field=models.CharField(
                choices=[
                    ("detractor", "NPS detractor"),
                    ("unhappy", "Unhappy CSAT"),
                    ("score_drop", "Score dropped"),
                ],
                default="detractor",
                max_length=20,
                verbose_name="reason",
            ),
        ),
        migrations.RemoveField(model_name="followup", name="reason"),
        migrations.RemoveField(model_name="followup", name="responses"),
        migrations.AddConstraint(
            model_name="followup",
            constraint=models.CheckConstraint(
                condition=models.Q(("reasons", ""), _negated=True),
                name="follow_up_has_a_reason",
            ),
        ),
    ]
