"""An email backend that keeps every message in the database instead of sending it.

It is the default on a fresh machine, so that nothing ever leaves it by accident and staff
can still read exactly what customers would receive.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend

from lifecycle.outbox.models import OutboxEmail


def _html_part(message: EmailMessage) -> str:
    if isinstance(message, EmailMultiAlternatives):
        for alternative in message.alternatives:
            content, mimetype = alternative[0], alternative[1]
            if mimetype == "text/html":
                return str(content)
    return message.body if message.content_subtype == "html" else ""


def to_outbox_email(message: EmailMessage) -> OutboxEmail:
    mime = message.message()
    text = "" if message.content_subtype == "html" else message.body
    return OutboxEmail(
        from_email=message.from_email,
        to=", ".join(message.to),
        cc=", ".join(message.cc),
        bcc=", ".join(message.bcc),
        subject=message.subject,
        body_text=text,
        body_html=_html_part(message),
        headers={key: str(value) for key, value in mime.items()},
        raw=mime.as_bytes().decode("utf-8", errors="replace"),
    )


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        rows = [to_outbox_email(m) for m in email_messages if m.recipients()]
        OutboxEmail.objects.bulk_create(rows)
        return len(rows)
