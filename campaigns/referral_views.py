"""The public referral page: a contact's personal link where a peer leaves their details.

The code in the link is the only key; the page speaks the referrer's language, takes a
POST with Django's CSRF token, and is rate-limited per client address.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from campaigns import referrals
from campaigns.forms import ReferralForm
from campaigns.views import in_language, link_invalid
from lifecycle.lib.client_address import client_network
from lifecycle.lib.ratelimit import rate_limit

REFERRAL_PER_MINUTE = 30


@rate_limit("referral", per_minute=REFERRAL_PER_MINUTE)
@require_http_methods(["GET", "HEAD", "POST"])
@csrf_protect
@never_cache
def referral(request: HttpRequest, code: str) -> HttpResponse:
    found = referrals.find_code(code)
    if found is None:
        return link_invalid(request)
    return in_language(found.contact.language, lambda: _referral(request, found))


def _referral(request: HttpRequest, code) -> HttpResponse:
    referrer = code.contact
    if request.GET.get("thanks") == "1":
        return render(request, "campaigns/referral_thanks.html", {"referrer": referrer})
    form = ReferralForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not form.is_bot():
            data = form.cleaned_data
            person = referrals.Referred(
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                company=data["company"],
            )
            referrals.refer(
                code,
                person,
                client_address=client_network(request),  # an IPv6 client by its /64
                language=referrer.language,
                now=timezone.now(),
            )
        # Post/redirect/get: a reload does not refer twice.
        url = reverse("campaigns:referral", args=[code.code]) + "?thanks=1"
        return HttpResponseRedirect(url, status=303)
    context = {"referrer": referrer, "form": form}
    return render(request, "campaigns/referral.html", context, status=400 if form.errors else 200)
