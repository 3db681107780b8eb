"""Campaign.survey becomes surveys.CampaignSurvey: the relation points down the layers.

The rows are copied here; campaigns 0004 then drops the old column."""

import django.db.models.deletion
from django.db import migrations, models


def copy_links(apps, schema_editor):
    campaign_model = apps.get_model("campaigns", "Campaign")
    link_model = apps.get_model("surveys", "CampaignSurvey")
    link_model.objects.bulk_create(
        link_model(campaign_id=campaign_id, survey_id=survey_id)
        for campaign_id, survey_id in campaign_model.objects.filter(
            survey__isnull=False
        ).values_list("pk", "survey_id")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0003_default_campaigns"),
        ("surveys", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="CampaignSurvey",
            fields=[
                (
                    "campaign",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="survey_link",
                        serialize=False,
                        to="campaigns.campaign",
                        verbose_name="campaign",
                    ),
                ),
                (
                    "survey",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="campaign_links",
                        to="surveys.survey",
                        verbose_name="survey",
                    ),
                ),
            ],
            options={
                "verbose_name": "campaign survey",
                "verbose_name_plural": "campaign surveys",
            },
        ),
        # Going back, campaigns 0004 (which depends on this) copies the links back first.
        migrations.RunPython(copy_links, migrations.RunPython.noop),
    ]
