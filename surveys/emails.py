"""The survey emails: the invitation, its one reminder, and the alert to the account owner."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone

from campaigns.audience import reachable
from campaigns.message_links import unsubscribe_links
from campaigns.models import Message
from campaigns.pipeline import Skip, builder
from lifecycle.lib import links
from lifecycle.lib.emails import language_for, make_message
from surveys import scoring
from surveys.models import FollowUpReason, Invitation, Response, survey_of
from surveys.selectors import throttled
from surveys.services import (
    INVITATION_EMAIL,
    OWNER_ALERT_EMAIL,
    REMINDER_EMAIL,
    follow_up_reasons,
    invitation_for,
)


def scale_links(invitation: Invitation) -> list[dict]:
    token = links.sign(links.SURVEY_ANSWER, invitation.public_id)
    return [
        {"score": score, "url": links.absolute(reverse("surveys:answer", args=[token, score]))}
        for score in scoring.scale(invitation.survey.kind)
    ]


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


@builder(INVITATION_EMAIL, select_related=("campaign__survey_link__survey",))
def build_invitation(message: Message) -> EmailMultiAlternatives:
    survey = survey_of(message.campaign)
    if not reachable(message.campaign).filter(pk=message.contact_id).exists():
        raise Skip("The contact has unsubscribed or withdrawn consent.")
    existing = Invitation.objects.filter(message=message).values_list("pk", flat=True).first()
    if existing is None and throttled(message.contact, survey, now=timezone.now()):
        raise Skip("Surveyed too recently (survey fatigue).")
    invitation = invitation_for(message, language=language_for(message.contact.language))
    return survey_email(INVITATION_EMAIL, message, invitation)


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


@builder(OWNER_ALERT_EMAIL)
def build_owner_alert(message: Message) -> EmailMultiAlternatives:
    """Built when it goes, after the delay for the comment: the answer as it is by then."""
    response = (
        Response.objects.select_related("account", "contact", "survey", "follow_up")
        .filter(owner_alert=message)
        .first()
    )
    if response is None:
        raise Skip("The answer is gone.")
    if response.contact_id is None:
        raise Skip("The person's data was erased; the follow-up item stays.")
    reasons = follow_up_reasons(response)
    if not reasons:
        raise Skip("The answer was changed and no longer needs a follow-up.")
    item = getattr(response, "follow_up", None)
    labels = dict(FollowUpReason.choices)
    context = {
        "response": response,
        "reasons": [labels[reason] for reason in reasons],
        "response_url": links.absolute(response.get_absolute_url()),
        "follow_up_url": links.absolute(item.get_absolute_url()) if item else "",
        "account_url": links.absolute(response.account.get_absolute_url()),
    }
    return make_message(
        OWNER_ALERT_EMAIL, message.recipient, context, language=settings.LANGUAGE_CODE
    )
