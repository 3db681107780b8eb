from django.db import migrations


def create_roles(apps, schema_editor):
    from lifecycle.staff.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    """The Viewer, Marketer and Admin groups. post_migrate re-syncs them for later models."""

    dependencies = [
        ("staff", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0001_initial"),
        ("outbox", "0001_initial"),
    ]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
