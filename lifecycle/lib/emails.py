"""The email layer: three templates per email, multipart, List-Unsubscribe, contact's language.

`make_message("survey-invitation", ...)` renders templates/emails/survey-invitation-subject.txt,
-body.txt and -body.html in the recipient's language.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import translation

from lifecycle.lib.branding import brand

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def language_for(tag: str) -> str:
    """The UI language for an IETF tag: es-MX -> es; anything unsupported -> English."""
    try:
        return translation.get_supported_language_variant((tag or "").strip().lower())
    except LookupError:
        return settings.LANGUAGE_CODE


def make_message(
    name: str,
    to: str,
    context: dict[str, Any],
    *,
    language: str,
    unsubscribe_url: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    context = {"brand": brand(), **context}
    with translation.override(language):
        subject = render_to_string(f"emails/{name}-subject.txt", context)
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    return compose(to, subject, text, html, unsubscribe_url=unsubscribe_url, headers=headers)


def compose(
    to: str,
    subject: str,
    text: str,
    html: str,
    *,
    unsubscribe_url: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    """A multipart email from rendered parts, with the List-Unsubscribe headers."""
    all_headers = dict(headers or {})
    if unsubscribe_url:
        # RFC 2369 + RFC 8058: mailbox providers show an unsubscribe button that POSTs here.
        mailto = f"mailto:{settings.UNSUBSCRIBE_MAILTO}?subject=unsubscribe"
        all_headers["List-Unsubscribe"] = f"<{unsubscribe_url}>, <{mailto}>"
        all_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # one line, whatever the template's whitespace
        body=text,
        to=[to],
        headers=all_headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def open_connection() -> BaseEmailBackend:
    """One connection for a whole chunk of messages (one SMTP session per chunk)."""
    return get_connection(fail_silently=False)
