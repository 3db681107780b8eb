"""The referral-request email gets each contact's own referral page ({{ referral_url }}):
its default content, in the three languages, where an admin has not changed it."""

import importlib

from django.db import migrations

DEFAULTS = importlib.import_module("campaigns.migrations.0008_default_lifecycle_campaigns")

REFERRAL = {
    "en": (
        "Thank you{% if first_name %}, {{ first_name }}{% endif %}! Know someone we could help?",
        [
            "You told us you would recommend us: thank you, that means a lot to us.",
            "If a colleague or a peer at another company could use us too, send them your "
            "personal page, where they can leave their details:",
            "{{ referral_url }}",
            "We will take good care of them.",
        ],
    ),
    "es": (
        "¡Gracias{% if first_name %}, {{ first_name }}{% endif %}! ¿Conoce a alguien a quien "
        "podamos ayudar?",
        [
            "Nos dijo que nos recomendaría: gracias, significa mucho para nosotros.",
            "Si a un colega o a alguien de otra empresa también le podemos ser útiles, envíele "
            "su página personal, donde puede dejarnos sus datos:",
            "{{ referral_url }}",
            "Le atenderemos con gusto.",
        ],
    ),
    "ru": (
        "Спасибо{% if first_name %}, {{ first_name }}{% endif %}! Знаете, кому мы можем помочь?",
        [
            "Вы сказали, что порекомендовали бы нас: спасибо, для нас это очень важно.",
            "Если коллеге или знакомому из другой компании мы тоже можем быть полезны, "
            "отправьте ему свою личную страницу, где он может оставить свои данные:",
            "{{ referral_url }}",
            "Мы о нём позаботимся.",
        ],
    ),
}


def bodies(language, paragraphs):
    greeting, signature = DEFAULTS.GREETING[language], DEFAULTS.SIGNATURE[language]
    text = "\n\n".join([greeting, *paragraphs, signature]) + "\n"
    html = "".join(
        f'<p><a href="{paragraph[3:-3].strip().join(["{{ ", " }}"])}">{paragraph}</a></p>'
        if paragraph.startswith("{{ ") and paragraph.endswith("_url }}")
        else f"<p>{paragraph}</p>"
        for paragraph in [greeting, *paragraphs, signature]
    )
    return text, html


def swap(apps, old, new):
    content_model = apps.get_model("campaigns", "CampaignContent")
    for language, (subject, paragraphs) in old.items():
        text, html = bodies(language, paragraphs)
        new_subject, new_paragraphs = new[language]
        new_text, new_html = bodies(language, new_paragraphs)
        content_model.objects.filter(
            campaign__slug="referral-request",
            language=language,
            subject=subject,
            text_body=text,
            html_body=html,
        ).update(subject=new_subject, text_body=new_text, html_body=new_html)


def create_defaults(apps, schema_editor):
    swap(apps, DEFAULTS.CONTENT["referral-request"], REFERRAL)


def back(apps, schema_editor):
    swap(apps, REFERRAL, DEFAULTS.CONTENT["referral-request"])


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0014_referrals")]
    operations = [migrations.RunPython(create_defaults, back)]
