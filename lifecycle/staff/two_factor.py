"""TOTP two-factor sign-in for the Admin role (django-otp), enforced when an operator sets
ADMIN_TWO_FACTOR (docs/security.md, "Sign-in protection").

An Admin who signs in with a password is sent to one page: the first time it enrols an
authenticator app (QR code and key), later it asks for the app's 6-digit code. Until then no
other staff page or Django admin page opens for that session. Viewers and Marketers, and API
calls with a token, are not affected.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from lifecycle.staff.roles import is_admin

DEVICE_NAME = gettext_lazy("Authenticator app")


def must_verify(user: Any) -> bool:
    """True while an Admin's session still lacks its second factor."""
    return bool(
        settings.ADMIN_TWO_FACTOR
        # Anyone Django admin lets in, staff status ticked by hand included.
        and (getattr(user, "is_staff", False) or is_admin(user))
        and not (hasattr(user, "is_verified") and user.is_verified())
    )


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def enrolment_device(user: Any) -> TOTPDevice:
    """The unconfirmed device an Admin is enrolling; the same one until it is confirmed, so a
    reload does not change the key the app was given."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=str(DEVICE_NAME), confirmed=False)
    return device


def secret_key(device: TOTPDevice) -> str:
    """The key in the base32 form authenticator apps accept when typed in, in groups of 4."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an SVG QR code, inline (no request leaves the page)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def verify(request: Any, device: TOTPDevice, code: str) -> str:
    """Check a code; on success confirm the device and verify the session and return "",
    else say what is wrong. django-otp makes each wrong code double the wait before the next."""
    if not device.verify_is_allowed()[0]:
        return _("Too many wrong codes. Wait a few seconds, then enter the code the app shows now.")
    code = "".join(code.split())
    if not code.isdigit() or not device.verify_token(code):
        return _("That code is not right, or has expired. Enter the code the app shows now.")
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    otp_login(request, device)
    return ""
