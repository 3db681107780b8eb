"""Response headers beyond Django's own (docs/security.md, "Headers and API tokens").

The Content-Security-Policy itself is django-csp's (settings.CONTENT_SECURITY_POLICY); this
module holds the Permissions-Policy header, which Django has no setting for, and the one
relaxation of the CSP: the pages that preview an email.
"""

from __future__ import annotations

from collections.abc import Callable

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse

# Browser features no page of the product uses, refused to this site and to anything it
# might embed. Only names Chromium recognises: it logs an error for every unknown one.
# interest-cohort (FLoC) and browsing-topics (Topics) keep visitors out of ad cohorts.
DENIED_FEATURES = (
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "camera",
    "clipboard-read",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "interest-cohort",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "otp-credentials",
    "payment",
    "picture-in-picture",
    "publickey-credentials-create",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "storage-access",
    "usb",
    "window-management",
    "xr-spatial-tracking",
)
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in DENIED_FEATURES)


class PermissionsPolicyMiddleware:
    """Adds the Permissions-Policy header to every response that has none yet."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


# An email's HTML needs inline styles (mail clients ignore style sheets) and may show images
# from anywhere on the web. A preview puts it in a sandboxed srcdoc iframe, which inherits
# the page's policy: only the preview pages allow both; scripts stay refused.
email_preview_policy = csp_update({"style-src": [UNSAFE_INLINE], "img-src": ["https:"]})
