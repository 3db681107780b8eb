"""Signed, unguessable links for people who do not sign in (survey answers, unsubscribes).

The payload is only a random public id (signed values are readable base64); each purpose has
its own salt so a token for one purpose is refused by every other. SECRET_KEY_FALLBACKS keep
old links working across a key rotation.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core import signing

SURVEY_ANSWER = "survey-answer"
UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"
OPEN = "open"  # the open pixel of a message
CLICK = "click"  # one tracked link of a message


def sign(purpose: str, public_id: uuid.UUID) -> str:
    return signing.dumps(public_id.hex, salt=f"lifecycle.links.{purpose}")


def unsign(purpose: str, token: str, max_age: float | None = None) -> uuid.UUID | None:
    """The public id in `token`, or None for anything tampered, truncated, foreign or expired."""
    try:
        value = signing.loads(token, salt=f"lifecycle.links.{purpose}", max_age=max_age)
        return uuid.UUID(hex=value)
    except (signing.BadSignature, ValueError, TypeError, AttributeError):
        return None


def absolute(path: str) -> str:
    """An absolute URL under SITE_URL, as every link inside an email must be."""
    return f"{settings.SITE_URL}{path}"
