from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lifecycle.lib.branding import brand
from lifecycle.lib.display import currency_symbol

# (label, url name, permission needed, url prefix that marks the item as current)
NAVIGATION = [
    (_("Dashboard"), "home", "staff.view_dashboards", "/"),
    (_("Accounts"), "accounts:list", "accounts.view_account", "/accounts/"),
    (_("Surveys"), "surveys:responses", "surveys.view_response", "/surveys/"),
    (_("Referrals"), "campaigns:referrals", "campaigns.view_referral", "/referrals/"),
    (_("Outbox"), "outbox:list", "outbox.view_outboxemail", "/outbox/"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, url_name, permission, prefix in NAVIGATION:
        if user.has_perm(permission):
            # The dashboard lives at / and its other tabs under /dashboard/.
            home = request.path == "/" or request.path.startswith("/dashboard/")
            current = home if prefix == "/" else request.path.startswith(prefix)
            items.append({"label": label, "url": reverse(url_name), "current": current})
    return {"nav_items": items, "show_admin_link": user.is_staff}


def site(request: HttpRequest) -> dict[str, Any]:
    """What every page shows about the installation: the currency money is in, and the
    company customers deal with (public pages)."""
    return {"currency": settings.CURRENCY, "currency_symbol": currency_symbol(), "brand": brand()}
