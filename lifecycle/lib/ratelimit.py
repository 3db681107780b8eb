"""Rate limits for the public pages (survey links, unsubscribe, tracking, referral form),
counted by django-ratelimit in the shared cache (docs/security.md).

    @rate_limit("survey", per_minute=120)
    def answer(request, token, score): ...

Each (scope, client address, minute) has one counter; over the limit the view is not called
and the visitor gets a friendly 429 page. `settings.RATE_LIMITS = {"survey": 3}` overrides a
scope's limit (tests use a low one). A client counts as `client_network()`: an IPv6 one by its
/64, like the sign-in lockout. The limits are generous: signed tokens cannot be guessed, so
this only stops floods.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import checks
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

from lifecycle.lib.client_address import client_network

WINDOW_SECONDS = 60

# Cache backends whose counters every process of a deployment shares, atomically.
SHARED_CACHE_BACKENDS = {
    "django.core.cache.backends.redis.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
    "django_redis.cache.RedisCache",
}

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]


def limit_for(scope: str, default: int) -> int:
    return int(getattr(settings, "RATE_LIMITS", {}).get(scope, default))


def usage(request: HttpRequest, scope: str, *, per_minute: int) -> dict | None:
    """Count this request in its scope; None when the cache cannot say."""
    try:
        return get_usage(
            request,
            group=f"public:{scope}",
            # Not django-ratelimit's "ip" key: its IPv6 mask is a setting of its own, and the
            # sign-in lockout must group addresses exactly as the public pages do.
            key=lambda _group, request: client_network(request),
            rate=f"{limit_for(scope, per_minute)}/{WINDOW_SECONDS}s",
            method=ALL,
            increment=True,
        )
    except Exception:  # a cache outage must not take the public pages down with it
        logger.warning("Rate limit cache unavailable; letting the request through", exc_info=True)
        return None


def too_many_requests(request: HttpRequest, *, retry_after: int) -> HttpResponse:
    response = render(
        request,
        "public_base.html",
        {
            "heading": _("Too many requests"),
            "message": _("Please wait a minute, then try again."),
        },
        status=429,
    )
    response["Retry-After"] = str(max(1, retry_after))
    return response


def rate_limit(scope: str, *, per_minute: int) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @functools.wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            counted = usage(request, scope, per_minute=per_minute)
            if counted and counted["should_limit"]:
                return too_many_requests(request, retry_after=counted["time_left"])
            return view(request, *args, **kwargs)

        return limited

    return decorator


def check_shared_cache(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Deployed, the limits (ours, the API's throttles, the login lockout's cache) must count
    across every worker process: a per-process cache gives each gunicorn worker its own."""
    if settings.DEBUG:
        return []
    backend = settings.CACHES["default"]["BACKEND"]
    if backend in SHARED_CACHE_BACKENDS:
        return []
    return [
        checks.Error(
            f"The default cache ({backend}) is not shared by the processes of a deployment, "
            "so rate limits would count per process.",
            hint="Set CACHE_URL to a Redis (redis://host:6379/1) or Memcached server.",
            id="lifecycle.E001",
        )
    ]
