from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from lifecycle.staff.two_factor import must_verify

# What an Admin who has not given the second factor may still reach.
OPEN_URL_NAMES = ("two-factor", "logout", "set_language")


class AdminTwoFactorMiddleware:
    """Sends an Admin session without its second factor to the two-factor page (after
    django_otp's OTPMiddleware, which tells whether the session is verified)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if must_verify(request.user):
            open_paths = {reverse(name) for name in OPEN_URL_NAMES}
            if request.path not in open_paths:
                target = reverse("two-factor")
                return HttpResponseRedirect(
                    f"{target}?{urlencode({'next': request.get_full_path()})}"
                )
        return self.get_response(request)
