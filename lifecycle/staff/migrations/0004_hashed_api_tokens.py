"""API tokens become knox's (the ApiToken proxy names them in admin), and existing
integrations keep working: each plaintext key of DRF's authtoken table becomes a
knox token for the same key (stored as knox stores its own: the SHA-512 digest and the first
15 characters), expiring LEGACY_GRACE after the upgrade, and the plaintext rows are deleted.
knox's own authentication then accepts the old 40-character key as it is."""

import datetime as dt

from django.db import migrations
from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS

# Time for each integration to switch to a new key (docs/security.md, "Headers and API tokens").
LEGACY_GRACE = dt.timedelta(days=90)


def hash_plaintext_keys(apps, schema_editor):
    plaintext = apps.get_model("authtoken", "Token").objects
    hashed = apps.get_model("knox", "AuthToken").objects
    expiry = timezone.now() + LEGACY_GRACE
    for old in plaintext.all():
        digest = hash_token(old.key)
        hashed.create(
            digest=digest,
            token_key=old.key[: CONSTANTS.TOKEN_KEY_LENGTH],
            user_id=old.user_id,
            expiry=expiry,
        )
        hashed.filter(digest=digest).update(created=old.created)  # auto_now_add set "now"
    plaintext.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0003_access_staff_area"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[],
            options={
                "verbose_name": "API token",
                "verbose_name_plural": "API tokens",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("knox.authtoken",),
        ),
        # Going back cannot restore a plaintext key: the old release then has no tokens,
        # and each integration needs a new one.
        migrations.RunPython(hash_plaintext_keys, migrations.RunPython.noop),
    ]
