"""Sign-in pages beyond Django's own: the lockout page and the two-factor step."""

from __future__ import annotations

from typing import Any

from axes.utils import reset as reset_failed_logins
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from lifecycle.staff import two_factor


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE), for /login/ and /admin/login/."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


def forget_own_failed_sign_ins(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """user_logged_in receiver: a success forgets the failures for that username only."""
    reset_failed_logins(username=user.get_username())


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


@never_cache
@sensitive_post_parameters("code")
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app the first time, then ask for its code."""
    if not two_factor.must_verify(request.user):
        return redirect(_safe_next(request))
    device = two_factor.confirmed_device(request.user)
    enrolling = device is None
    if enrolling:
        device = two_factor.enrolment_device(request.user)
    error = ""
    if request.method == "POST":
        error = two_factor.verify(request, device, request.POST.get("code", ""))
        if not error:
            return redirect(_safe_next(request))
    context = {"enrolling": enrolling, "error": error, "next": _safe_next(request)}
    if enrolling:
        context["qr_code"] = two_factor.qr_code_data_uri(device)
        context["secret_key"] = two_factor.secret_key(device)
    return render(request, "registration/two_factor.html", context, status=400 if error else 200)
