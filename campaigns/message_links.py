"""The signed links every contact's email carries: one-click unsubscribe and preferences."""

from __future__ import annotations

from django.urls import reverse

from campaigns.models import Message
from lifecycle.lib import links


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
