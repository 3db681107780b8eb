"""The API's throttle (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]), in the shared cache."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.throttling import UserRateThrottle as DrfUserRateThrottle

from lifecycle.lib.client_address import client_address


class UserRateThrottle(DrfUserRateThrottle):
    """DRF's per-user throttle, counting requests without a user by `client_address()`:
    DRF's own reading trusts any X-Forwarded-For a client sends."""

    def get_ident(self, request: Request) -> str:
        return client_address(request)
