"""Public unsubscribe (RFC 8058 one-click) and preference pages, reached from any email.

The link is a capability (a signed Message id), so neither page asks anyone to sign in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import DisallowedRedirect, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from campaigns import subscriptions, tracking
from campaigns.forms import PreferencesForm
from campaigns.models import Category, Message, Unsubscription
from lifecycle.lib import links
from lifecycle.lib.emails import language_for
from lifecycle.lib.ratelimit import rate_limit

# Mailbox providers send one-click POSTs from a few addresses of their own: stay generous.
UNSUBSCRIBE_PER_MINUTE = 600
PREFERENCES_PER_MINUTE = 120
# Image proxies load every open from a handful of addresses.
TRACKING_PER_MINUTE = 1200
# The smallest transparent GIF: what an open pixel answers, whatever the token.
PIXEL_GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


def find_message(purpose: str, token: str) -> Message | None:
    public_id = links.unsign(purpose, token)
    if public_id is None:
        return None
    # Only a contact's messages carry these links; a notification's never does.
    messages = Message.objects.select_related("contact", "campaign").filter(contact__isnull=False)
    return messages.filter(public_id=public_id).first()


# RFC 8058: the mailbox provider POSTs with no cookie and no CSRF token, and must not be
# asked to confirm; the signed token is the only credential.
@csrf_exempt
@rate_limit("unsubscribe", per_minute=UNSUBSCRIBE_PER_MINUTE)
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a confirmation page (scanners prefetch links). POST: unsubscribe, idempotently."""
    message = find_message(links.UNSUBSCRIBE, token)
    if message is None:
        return link_invalid(request)
    return in_language(message.contact.language, lambda: _unsubscribe(request, message))


@rate_limit("preferences", per_minute=PREFERENCES_PER_MINUTE)
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    """One checkbox per category; unchecking unsubscribes, checking resubscribes."""
    message = find_message(links.PREFERENCES, token)
    if message is None:
        return link_invalid(request)
    return in_language(message.contact.language, lambda: _preferences(request, message, token))


@rate_limit("tracking", per_minute=TRACKING_PER_MINUTE)
@require_http_methods(["GET", "HEAD"])
@never_cache
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    """Records an open and answers a 1x1 GIF; a bad token gets the GIF too (an email must
    not show a broken image) and records nothing."""
    message = tracking.find_message(token)
    if message is not None:
        tracking.record_open(message, **_hit(request))
    return HttpResponse(PIXEL_GIF, content_type="image/gif")


@rate_limit("tracking", per_minute=TRACKING_PER_MINUTE)
@require_http_methods(["GET", "HEAD"])
@never_cache
def click(request: HttpRequest, token: str) -> HttpResponse:
    """Records a click and redirects to the link's stored URL, nothing else."""
    link = tracking.find_link(token)
    if link is None:
        return link_invalid(request)
    try:
        response = HttpResponseRedirect(link.url)
    except (ValueError, DisallowedRedirect):  # stored before links were validated
        return link_invalid(request)
    tracking.record_click(link, **_hit(request))
    return response


def _hit(request: HttpRequest) -> dict[str, Any]:
    return {
        "at": timezone.now(),
        "method": request.method or "GET",
        "user_agent": request.headers.get("User-Agent", ""),
    }


def in_language(tag: str, respond: Callable[[], HttpResponse]) -> HttpResponse:
    """The page in the contact's language, whatever the browser asks for."""
    language = language_for(tag)
    with translation.override(language):
        response = respond()
    response.headers["Content-Language"] = language
    return response


def _unsubscribe(request: HttpRequest, message: Message) -> HttpResponse:
    contact, category = message.contact, message.campaign.category
    if request.method == "POST":
        confirmed = _posted(request, "confirm")  # the button of our own page
        source = Unsubscription.Source.PAGE if confirmed else Unsubscription.Source.ONE_CLICK
        subscriptions.unsubscribe(
            contact, category, source=source, message=message, now=timezone.now()
        )
    context = {
        "contact": contact,
        "category": Category(category).label,
        "done": request.method == "POST",
        "subscribed": subscriptions.is_subscribed(contact, category),
        "preferences_url": _preferences_url(message),
    }
    return render(request, "campaigns/unsubscribe.html", context)


def _preferences(request: HttpRequest, message: Message, token: str) -> HttpResponse:
    contact = message.contact
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        form.full_clean()  # checkboxes: a missing or odd value is simply "unchecked"
        subscriptions.set_subscriptions(
            contact,
            form.subscribed(),
            source=Unsubscription.Source.PAGE,
            message=message,
            now=timezone.now(),
        )
        url = reverse("campaigns:preferences", args=[token]) + "?saved=1"
        return HttpResponseRedirect(url, status=303)
    context: dict[str, Any] = {
        "contact": contact,
        "form": PreferencesForm(initial=subscriptions.subscriptions(contact)),
        "saved": request.GET.get("saved") == "1",
    }
    return render(request, "campaigns/preferences.html", context)


def _posted(request: HttpRequest, field: str) -> bool:
    # A one-click body is tiny and may be malformed; it must unsubscribe all the same.
    try:
        return field in request.POST
    except (MultiPartParserError, SuspiciousOperation):
        return False


def _preferences_url(message: Message) -> str:
    return reverse("campaigns:preferences", args=[links.sign(links.PREFERENCES, message.public_id)])


def link_invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/link_invalid.html", status=404)
