from django.db import migrations

NAME = "Nightly daily totals"


def schedule(apps, schema_editor):
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    # UTC explicitly: CrontabSchedule defaults to UTC anyway, and DST must not move it.
    nightly, _ = crontab_model.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    task_model.objects.get_or_create(
        name=NAME,
        defaults={"task": "metrics.fill_daily_totals", "crontab": nightly, "enabled": True},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
