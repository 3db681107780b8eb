"""The public paths that carry a key in their URL, and how to hide it.

A survey answer, unsubscribe or preferences link, the open pixel and click redirect of a
tracked email, and a contact's referral page each take the customer's token (or referral
code) as the path segment after their prefix: whoever reads the link can act as the
customer. Logs (lifecycle/lib/log_filters.py) and the outbox as non-Admins see it
(lifecycle/outbox/views.py) write that segment as [token]. tests/lifecycle/test_log_masking.py
checks the prefixes against the URL confs.
"""

from __future__ import annotations

import re

MASK = "[token]"
SIGNED_PREFIXES = ("s", "u", "preferences", "t/o", "t/c", "r")
_SIGNED_PATH = re.compile(
    r"(/(?:" + "|".join(re.escape(prefix) for prefix in SIGNED_PREFIXES) + r")/)"
    r"[^/\s?#\"'<>&]+"
)


def mask_signed_paths(text: str) -> str:
    """`text` with the token segment of each signed path replaced by [token]."""
    return _SIGNED_PATH.sub(rf"\g<1>{MASK}", text)
