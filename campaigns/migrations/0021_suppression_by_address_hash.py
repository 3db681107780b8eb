"""The suppression list by the hash of the address and a category (docs/security.md).

Forward: each row's address becomes its SHA-256 (the provider's description loses the
address), for every category, and each contact's unsubscribes become entries of their
address for that category, the switch then set on every contact with the address.
Backward: the entries of one category are dropped (the old release reads the contacts'
switches), and every other entry gets back the address of a contact, lead or notification
whose address has its hash; an entry nobody has the address of any more (an erasure) cannot
be written in the old schema and is dropped.
"""

import hashlib
import re
from collections import defaultdict

from django.db import migrations, models

CATEGORIES = {
    "surveys": "unsubscribed_surveys_at",
    "lifecycle": "unsubscribed_lifecycle_at",
    "marketing": "unsubscribed_marketing_at",
}
BATCH = 2000


# A frozen copy of campaigns.models.normalized_address and address_hash: a migration must
# not change when the code does.
def normalized(address):
    return (address or "").strip().lower()


def hashed(address):
    return hashlib.sha256(normalized(address).encode()).hexdigest()


def constraints_now(schema_editor):
    """PostgreSQL defers the foreign-key checks of the rows written here to the end of the
    transaction, and then refuses to alter their table: check them as they are written."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def hash_addresses(apps, schema_editor):
    constraints_now(schema_editor)
    Suppression = apps.get_model("campaigns", "Suppression")
    Contact = apps.get_model("accounts", "Contact")
    seen = set()
    for row in Suppression.objects.order_by("created_at", "pk"):
        key = hashed(row.address)
        if key in seen:  # two spellings of one address, written by hand: the first stays
            row.delete()
            continue
        seen.add(key)
        row.address_hash = key
        row.description = re.sub(
            re.escape(normalized(row.address)), "<address>", row.description, flags=re.I
        )
        row.address = None
        row.save(update_fields=["address_hash", "description", "address"])

    # Every contact's unsubscribes, by address: the earliest time for each category.
    earliest = defaultdict(dict)
    contacts_of = defaultdict(list)
    fields = list(CATEGORIES.values())
    for pk, email, *times in Contact.objects.values_list("pk", "email", *fields).iterator(BATCH):
        key = hashed(email)
        contacts_of[key].append((pk, times))
        for category, at in zip(CATEGORIES, times, strict=True):
            if at is not None and (category not in earliest[key] or at < earliest[key][category]):
                earliest[key][category] = at
    existing = set(Suppression.objects.values_list("address_hash", "category"))
    Suppression.objects.bulk_create(
        [
            Suppression(address_hash=key, category=category, reason="unsubscribe")
            for key, stopped in earliest.items()
            for category in stopped
            if (key, category) not in existing
        ],
        batch_size=BATCH,
    )
    for key, stopped in earliest.items():
        for category, at in stopped.items():
            field = CATEGORIES[category]
            index = fields.index(field)
            missing = [pk for pk, times in contacts_of[key] if times[index] is None]
            if missing:
                Contact.objects.filter(pk__in=missing).update(**{field: at})


def restore_addresses(apps, schema_editor):
    constraints_now(schema_editor)
    Suppression = apps.get_model("campaigns", "Suppression")
    Suppression.objects.exclude(category="").delete()
    wanted = set(Suppression.objects.values_list("address_hash", flat=True))
    found = {}
    sources = [
        apps.get_model("accounts", "Contact").objects.values_list("email", flat=True),
        apps.get_model("accounts", "Lead").objects.values_list("email", flat=True),
        apps.get_model("campaigns", "Message")
        .objects.exclude(recipient="")
        .values_list("recipient", flat=True),
    ]
    for addresses in sources:
        for address in addresses.iterator(BATCH):
            key = hashed(address)
            if key in wanted:
                found.setdefault(key, normalized(address))
    for row in Suppression.objects.all():
        if row.address_hash not in found:
            row.delete()
            continue
        row.address = found[row.address_hash]
        if row.reason not in ("bounce", "complaint", "staff"):
            row.reason = "staff"
        row.save(update_fields=["address", "reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_leads"),
        ("campaigns", "0020_plain_text_validators"),
    ]

    operations = [
        migrations.AddField(
            model_name="suppression",
            name="address_hash",
            field=models.CharField(
                default="",
                help_text="SHA-256 of the address, lower-cased: the list keeps no address.",
                max_length=64,
                verbose_name="address hash",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="suppression",
            name="category",
            field=models.CharField(
                blank=True,
                choices=[
                    ("surveys", "Surveys"),
                    ("lifecycle", "Lifecycle messages"),
                    ("marketing", "Marketing"),
                ],
                help_text="Empty: every category.",
                max_length=20,
                verbose_name="category",
            ),
        ),
        migrations.AlterField(
            model_name="suppression",
            name="address",
            field=models.EmailField(blank=True, max_length=254, null=True, verbose_name="address"),
        ),
        migrations.AlterField(
            model_name="suppression",
            name="reason",
            field=models.CharField(
                choices=[
                    ("unsubscribe", "Unsubscribed"),
                    ("bounce", "Hard bounce"),
                    ("complaint", "Spam complaint"),
                    ("staff", "Blocked by staff"),
                    ("erasure", "Personal data erased"),
                ],
                max_length=12,
                verbose_name="reason",
            ),
        ),
        migrations.RunPython(hash_addresses, restore_addresses),
        migrations.RemoveField(model_name="suppression", name="address"),
        migrations.AlterModelOptions(
            name="suppression",
            options={
                "ordering": ["-created_at", "-pk"],
                "verbose_name": "suppressed address",
                "verbose_name_plural": "suppressed addresses",
            },
        ),
        migrations.AddConstraint(
            model_name="suppression",
            constraint=models.UniqueConstraint(
                fields=("address_hash", "category"), name="suppression_once_per_category"
            ),
        ),
    ]
