"""The survey emails: the invitation, its one reminder, and the alert to the account owner."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone

from campaigns.audience import reachable
from campaigns.models import Message
from campaigns.pipeline import Skip, builder
from lifecycle.lib import links
from lifecycle.lib.emails import language_for, make_message, open_connection
from surveys import scoring
from surveys.models import Invitation, Response
from surveys.selectors import throttled
from surveys.services import REMINDER_EMAIL, invitation_for


def scale_links(invitation: Invitation) -> list[dict]:
    token = links.sign(links.SURVEY_ANSWER, invitation.public_id)
    return [
        {"score": score, "url": links.absolute(reverse("surveys:answer", args=[token, score]))}
        for score in scoring.scale(invitation.survey.kind)
    ]


def unsubscribe_links(message: Message) -> dict[str, str]:
    return {
        "unsubscribe_url": links.absolute(
            reverse(
                "campaigns:unsubscribe", args=[links.sign(links.UNSUBSCRIBE, message.public_id)]
            )
        ),
        "preferences_url": links.absolute(
            reverse(
                "campaigns:preferences", args=[links.sign(links.PREFERENCES, message.public_id)]
            )
        ),
    }


def survey_email(name: str, message: Message, invitation: Invitation) -> EmailMultiAlternatives:
    survey = invitation.survey
    context = {
        "contact": message.contact,
        "survey": survey,
        "text": survey.text_for(invitation.language),
        "scale": scale_links(invitation),
        "expires_at": invitation.expires_at,
        **unsubscribe_links(message),
    }
    return make_message(
        name,
        message.contact.email,
        context,
        language=invitation.language,
        unsubscribe_url=context["unsubscribe_url"],
    )


@builder("survey-invitation")
def build_invitation(message: Message) -> EmailMultiAlternatives:
    survey = message.campaign.survey
    if not reachable(message.campaign).filter(pk=message.contact_id).exists():
        raise Skip("The contact has unsubscribed or withdrawn consent.")
    existing = Invitation.objects.filter(message=message).values_list("pk", flat=True).first()
    if existing is None and throttled(message.contact, survey, now=timezone.now()):
        raise Skip("Surveyed too recently (survey fatigue).")
    invitation = invitation_for(message, language=language_for(message.contact.language))
    return survey_email("survey-invitation", message, invitation)


@builder(REMINDER_EMAIL)
def build_reminder(message: Message) -> EmailMultiAlternatives:
    invitation = (
        Invitation.objects.select_related("survey")
        .filter(reminder=message)
        .prefetch_related("survey__texts")
        .first()
    )
    if invitation is None:
        raise Skip("The reminder lost its invitation.")
    if Response.objects.filter(invitation=invitation).exists():
        raise Skip("Already answered.")
    if invitation.expires_at <= timezone.now():
        raise Skip("The invitation has expired.")
    if not reachable(message.campaign).filter(pk=message.contact_id).exists():
        raise Skip("The contact has unsubscribed or withdrawn consent.")
    return survey_email(REMINDER_EMAIL, message, invitation)


def send_owner_alert(response_id: int) -> bool:
    """Email the account owner about a bad answer, at most once (claimed before sending)."""
    connection = open_connection()
    connection.open()  # a mail server that is down raises here, before the claim
    try:
        return _alert_over(connection, response_id)
    finally:
        connection.close()


def _alert_over(connection, response_id: int) -> bool:
    claimed = Response.objects.filter(pk=response_id, owner_alerted_at__isnull=True).update(
        owner_alerted_at=timezone.now()
    )
    if not claimed:
        return False
    response = Response.objects.select_related("account__owner", "contact", "survey").get(
        pk=response_id
    )
    owner = response.account.owner
    if owner is None or not owner.email:
        return False
    context = {
        "response": response,
        "reasons": [f.get_reason_display() for f in response.follow_ups.all()],
        "response_url": links.absolute(response.get_absolute_url()),
        "account_url": links.absolute(response.account.get_absolute_url()),
    }
    email = make_message("owner-alert", owner.email, context, language=settings.LANGUAGE_CODE)
    connection.send_messages([email])
    return True


def unalerted_responses(*, now: dt.datetime) -> list[int]:
    """Bad answers whose owner alert never went (a lost task): the tick sends them."""
    return list(
        Response.objects.filter(
            owner_alerted_at__isnull=True,
            follow_ups__isnull=False,
            updated_at__lt=now - dt.timedelta(minutes=2),
        )
        .values_list("pk", flat=True)
        .distinct()[:500]
    )
