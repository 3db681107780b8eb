"""Campaign.survey moved to surveys.CampaignSurvey (relations point down the layers).

surveys 0002 copies the links first, so no campaign loses its survey."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0003_default_campaigns"),
        ("surveys", "0002_campaign_survey"),
    ]

    operations = [
        migrations.RemoveField(model_name="campaign", name="survey"),
    ]
