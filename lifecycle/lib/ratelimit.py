"""A fixed-window rate limit for the public pages, counted in Django's cache.

    @rate_limit("survey", per_minute=120)
    def answer(request, token, score): ...

Each (scope, client IP, minute) has one counter; over the limit the view is not called and the
visitor gets a friendly 429 page. `settings.RATE_LIMITS = {"survey": 3}` overrides a scope's
limit (tests use a low one) and `settings.RATE_LIMIT_CLIENT_IP` names the request.META key that
holds the client address ("HTTP_X_FORWARDED_FOR" behind one trusted proxy; REMOTE_ADDR by default).
The limits are generous: signed tokens cannot be guessed, so this only stops floods.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

WINDOW_SECONDS = 60

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]


def client_ip(request: HttpRequest) -> str:
    key = getattr(settings, "RATE_LIMIT_CLIENT_IP", "REMOTE_ADDR")
    value = request.META.get(key) or request.META.get("REMOTE_ADDR") or "unknown"
    # A proxy appends the address it saw: with one trusted proxy the last entry is the client.
    return value.split(",")[-1].strip()


def limit_for(scope: str, default: int) -> int:
    return int(getattr(settings, "RATE_LIMITS", {}).get(scope, default))


def hit(scope: str, ident: str, *, limit: int, now: float | None = None) -> bool:
    """Count one request; True while the current window is within `limit`."""
    window = int((time.time() if now is None else now) // WINDOW_SECONDS)
    # Hashed so that any header content makes a valid key for every cache backend.
    digest = hashlib.sha256(ident.encode("utf-8", "replace")).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}:{window}"
    try:
        cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
        count = cache.incr(key)
    except ValueError:  # the key expired between add() and incr()
        cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
        count = 1
    except Exception:  # a cache outage must not take the public pages down with it
        logger.warning("Rate limit cache unavailable; letting the request through", exc_info=True)
        return True
    return count <= limit


def too_many_requests(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "public_base.html",
        {
            "heading": _("Too many requests"),
            "message": _("Please wait a minute, then try again."),
        },
        status=429,
    )
    response["Retry-After"] = str(WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS)
    return response


def rate_limit(scope: str, *, per_minute: int) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @functools.wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not hit(scope, client_ip(request), limit=limit_for(scope, per_minute)):
                return too_many_requests(request)
            return view(request, *args, **kwargs)

        return limited

    return decorator
