"""API tokens for integrations (docs/integrations.md): django-rest-knox's, so the database
keeps only a SHA-512 hash of each key (and its first 15 characters, to find the row) and
every token expires. Integrations send `Authorization: Token KEY`.

A token is issued in Django admin (API tokens → Add) or with `manage.py create_api_token`,
which show its key once; deleting it in admin revokes it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import AuthToken

from lifecycle.staff.models import ApiToken

# Ten years: longer is no expiry at all, and past year 9999 the date overflows.
MAX_TOKEN_DAYS = 3650


def issue_token(user: Any, *, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`, valid for `days` (API_TOKEN_DAYS by default): the stored row
    and the key, which exists nowhere else once the caller has shown it."""
    days = settings.API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValueError(f"A token is valid for 1 to {MAX_TOKEN_DAYS} days, not {days}.")
    return ApiToken.objects.create(user=user, expiry=dt.timedelta(days=days))


def is_expired(token: AuthToken, now: dt.datetime | None = None) -> bool:
    return token.expiry is not None and token.expiry <= (now or timezone.now())


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's authentication with the `Token` header, minus its sweep of the user's other
    tokens on every request (one more query per API call). An expired token is still
    refused, and deleted, when it is presented."""

    def _cleanup_token(self, auth_token: AuthToken) -> bool:
        if is_expired(auth_token):
            auth_token.delete()
            return True
        return False
