"""The default lifecycle campaigns of the contract (welcome, birthday, anniversary,
review-request, referral-request) with their email in English, Spanish and Russian and
their beat schedules. Editable in admin; running this again changes nothing an admin wrote.

review-request links to REVIEW_URL; without it the campaign sends nothing and admin asks
for the review page.

On a new database they start switched on. On an upgrade (contacts exist already) they
start paused, so that no customer gets an email nobody here has read: an admin reviews the
content and switches each on.
"""

from django.conf import settings
from django.db import migrations

GREETING = {
    "en": "{% if first_name %}Hi {{ first_name }},{% else %}Hello,{% endif %}",
    "es": "{% if first_name %}Hola, {{ first_name }}:{% else %}Hola:{% endif %}",
    "ru": "{% if first_name %}Здравствуйте, {{ first_name }}!{% else %}Здравствуйте!{% endif %}",
}
SIGNATURE = {"en": "The team", "es": "El equipo", "ru": "Ваша команда"}

# slug: language: (subject, paragraphs); a paragraph may hold {{ review_url }}.
CONTENT = {
    "welcome": {
        "en": (
            "Welcome aboard{% if first_name %}, {{ first_name }}{% endif %}!",
            [
                "Thank you for choosing us. Everything is ready for you and the rest of "
                "{{ account_name }}.",
                "If anything is unclear, reply to this email: a real person reads every "
                "answer and gets back to you.",
            ],
        ),
        "es": (
            "¡Le damos la bienvenida{% if first_name %}, {{ first_name }}{% endif %}!",
            [
                "Gracias por elegirnos. Todo está listo para usted y el resto de "
                "{{ account_name }}.",
                "Si algo no está claro, responda a este correo: una persona lee cada "
                "respuesta y le contesta.",
            ],
        ),
        "ru": (
            "Добро пожаловать{% if first_name %}, {{ first_name }}{% endif %}!",
            [
                "Спасибо, что выбрали нас. Всё готово для вас и ваших коллег в {{ account_name }}.",
                "Если что-то непонятно, просто ответьте на это письмо: каждый ответ читает "
                "живой человек.",
            ],
        ),
    },
    "birthday": {
        "en": (
            "Happy birthday{% if first_name %}, {{ first_name }}{% endif %}!",
            [
                "Everyone here wishes you a wonderful birthday and a great year ahead.",
                "Thank you for being with us.",
            ],
        ),
        "es": (
            "¡Feliz cumpleaños{% if first_name %}, {{ first_name }}{% endif %}!",
            [
                "Todo nuestro equipo le desea un feliz cumpleaños y un gran año por delante.",
                "Gracias por estar con nosotros.",
            ],
        ),
        "ru": (
            "С днём рождения{% if first_name %}, {{ first_name }}{% endif %}!",
            [
                "Вся наша команда поздравляет вас с днём рождения и желает отличного года.",
                "Спасибо, что вы с нами.",
            ],
        ),
    },
    "anniversary": {
        "en": (
            "{{ years_with_us }} with us: thank you!",
            [
                "Today {{ account_name }} has been with us for {{ years_with_us }}.",
                "Thank you for your trust. If there is anything we could do better, reply "
                "to this email: we read every answer.",
            ],
        ),
        "es": (
            "{{ years_with_us }} con nosotros: ¡gracias!",
            [
                "Hoy {{ account_name }} cumple {{ years_with_us }} con nosotros.",
                "Gracias por su confianza. Si hay algo que podamos mejorar, responda a este "
                "correo: leemos cada respuesta.",
            ],
        ),
        "ru": (
            "{{ years_with_us }} вместе: спасибо!",
            [
                "Сегодня {{ account_name }} с нами уже {{ years_with_us }}.",
                "Спасибо за доверие. Если мы можем что-то улучшить, ответьте на это письмо: "
                "мы читаем каждый ответ.",
            ],
        ),
    },
    "review-request": {
        "en": (
            "Would you share your experience with us?",
            [
                "Your honest opinion helps other teams decide whether we are right for "
                "them. Would you take two minutes to write a review?",
                "{{ review_url }}",
                "Whatever you think of us, good or bad, we want to hear it.",
            ],
        ),
        "es": (
            "¿Nos cuenta su experiencia?",
            [
                "Su opinión sincera ayuda a otros equipos a decidir si somos lo que "
                "necesitan. ¿Nos dedica dos minutos para escribir una reseña?",
                "{{ review_url }}",
                "Sea cual sea su opinión, buena o mala, queremos conocerla.",
            ],
        ),
        "ru": (
            "Поделитесь впечатлениями?",
            [
                "Ваше честное мнение помогает другим командам понять, подходим ли мы им. "
                "Уделите две минуты отзыву?",
                "{{ review_url }}",
                "Каким бы ни было ваше мнение, хорошим или плохим, мы хотим его услышать.",
            ],
        ),
    },
    "referral-request": {
        "en": (
            "Thank you{% if first_name %}, {{ first_name }}{% endif %}! Know someone we "
            "could help?",
            [
                "You told us you would recommend us: thank you, that means a lot to us.",
                "If a colleague or a peer at another company could use us too, reply to "
                "this email with their name and address, and we will take good care of them.",
            ],
        ),
        "es": (
            "¡Gracias{% if first_name %}, {{ first_name }}{% endif %}! ¿Conoce a alguien a "
            "quien podamos ayudar?",
            [
                "Nos dijo que nos recomendaría: gracias, significa mucho para nosotros.",
                "Si a un colega o a alguien de otra empresa también le podemos ser útiles, "
                "responda a este correo con su nombre y dirección y le atenderemos con gusto.",
            ],
        ),
        "ru": (
            "Спасибо{% if first_name %}, {{ first_name }}{% endif %}! Знаете, кому мы "
            "можем помочь?",
            [
                "Вы сказали, что порекомендовали бы нас: спасибо, для нас это очень важно.",
                "Если коллеге или знакомому из другой компании мы тоже можем быть полезны, "
                "ответьте на это письмо, указав имя и адрес, и мы о нём позаботимся.",
            ],
        ),
    },
}

CAMPAIGNS = [
    {
        "slug": "welcome",
        "name": "Welcome",
        "description": "To each contact of an account on its first customer day.",
        "category": "lifecycle",
        "trigger": "welcome",
    },
    {
        "slug": "birthday",
        "name": "Birthday",
        "description": "On each customer contact's birthday, in their own time zone.",
        "category": "lifecycle",
        "trigger": "birthday",
    },
    {
        "slug": "anniversary",
        "name": "Customer anniversary",
        "description": "On each yearly date of the account's first customer day.",
        "category": "lifecycle",
        "trigger": "anniversary",
    },
    {
        "slug": "review-request",
        "name": "Review request",
        "description": (
            "Once a year to every customer contact, whatever their score (asking only happy "
            "customers breaks the review sites' rules)."
        ),
        "category": "lifecycle",
        "trigger": "rolling",
        "cycle_months": 12,
    },
    {
        "slug": "referral-request",
        "name": "Referral request",
        "description": "To promoters (latest NPS 9-10 within 30 days), after their answer.",
        "category": "lifecycle",
        "trigger": "promoter",
        "send_hour": 10,
    },
]


def bodies(language, paragraphs):
    greeting, signature = GREETING[language], SIGNATURE[language]
    text = "\n\n".join([greeting, *paragraphs, signature]) + "\n"
    html = "".join(
        '<p><a href="{{ review_url }}">{{ review_url }}</a></p>'
        if paragraph == "{{ review_url }}"
        else f"<p>{paragraph}</p>"
        for paragraph in [greeting, *paragraphs, signature]
    )
    return text, html


def create_defaults(apps, schema_editor):
    campaign_model = apps.get_model("campaigns", "Campaign")
    content_model = apps.get_model("campaigns", "CampaignContent")
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    # django-celery-beat does not prevent duplicate intervals: take any hourly one.
    hourly = interval_model.objects.filter(every=1, period="hours").order_by("pk").first()
    hourly = hourly or interval_model.objects.create(every=1, period="hours")
    upgrade = apps.get_model("accounts", "Contact").objects.exists()
    for spec in CAMPAIGNS:
        values = {**spec, "enabled": not upgrade}
        if spec["slug"] == "review-request":
            values["review_url"] = getattr(settings, "REVIEW_URL", "")
        campaign, created = campaign_model.objects.get_or_create(slug=spec["slug"], defaults=values)
        if created:
            for language, (subject, paragraphs) in CONTENT[spec["slug"]].items():
                text, html = bodies(language, paragraphs)
                content_model.objects.create(
                    campaign=campaign,
                    language=language,
                    subject=subject,
                    text_body=text,
                    html_body=html,
                )
        if campaign.periodic_task_id is None:
            campaign.periodic_task, _ = task_model.objects.get_or_create(
                name=f"Campaign {campaign.slug}",
                defaults={
                    "task": "campaigns.run_campaign",
                    "args": f"[{campaign.pk}]",
                    "interval": hourly,
                    "enabled": campaign.enabled,
                },
            )
            campaign.save(update_fields=["periodic_task"])


def remove_defaults(apps, schema_editor):
    """Backwards: the default lifecycle campaigns go, unless they have sent something."""
    campaign_model = apps.get_model("campaigns", "Campaign")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    unused = campaign_model.objects.filter(
        slug__in=[spec["slug"] for spec in CAMPAIGNS], messages__isnull=True
    )
    task_model.objects.filter(campaign__in=unused).delete()
    unused.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("campaigns", "0007_campaign_kinds"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create_defaults, remove_defaults)]
