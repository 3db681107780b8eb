"""Campaign.survey moved to surveys.CampaignSurvey (relations point down the layers).

surveys 0002 copies the links first, so no campaign loses its survey."""

from django.db import migrations


def copy_links_back(apps, schema_editor):
    # Going back: the column is there again (the RemoveField below was undone first).
    campaign_model = apps.get_model("campaigns", "Campaign")
    for link in apps.get_model("surveys", "CampaignSurvey").objects.all():
        campaign_model.objects.filter(pk=link.campaign_id).update(survey_id=link.survey_id)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0003_default_campaigns"),
        ("surveys", "0002_campaign_survey"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, copy_links_back),
        migrations.RemoveField(model_name="campaign", name="survey"),
    ]
