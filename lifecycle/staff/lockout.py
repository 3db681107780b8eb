"""django-axes' lockout with a limit of its own for an address (docs/security.md,
"Sign-in protection").

A username is locked after LOGIN_FAILURE_LIMIT failures; an address (an IPv6 client's /64)
only after LOGIN_ADDRESS_FAILURE_LIMIT failures whatever the usernames: an office, a school
or a home behind one address shares it, and one person mistyping their username five times
must not lock out everyone there, while an address guessing at many usernames still is.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_lockout_parameters
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


class AddressTolerantHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """The failures axes compares with AXES_FAILURE_LIMIT: the username's, or the
        address's scaled down to that limit, whichever is nearer its own limit."""
        counted = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        by_parameter = dict(
            zip(map(str, get_lockout_parameters(request, credentials)), counted, strict=True)
        )
        by_address = by_parameter.pop("ip_address", 0)
        scaled = by_address * settings.AXES_FAILURE_LIMIT // settings.LOGIN_ADDRESS_FAILURE_LIMIT
        return max([scaled, *by_parameter.values()])
