"""Who is asking: the company's name, logo and postal address, as every email and public page
shows them (settings COMPANY_NAME, COMPANY_LOGO_URL, COMPANY_ADDRESS; docs/operations.md,
"Branding")."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def brand() -> dict[str, Any]:
    return {
        "name": settings.COMPANY_NAME,
        "logo_url": settings.COMPANY_LOGO_URL,
        "address": settings.COMPANY_ADDRESS,
    }
