"""The address of the client a request comes from: the one home of that rule
(docs/security.md, "Client addresses and rate limits").

Without a proxy, `REMOTE_ADDR` is the client and `X-Forwarded-For` is whatever the client
chose to write, so it is ignored. Behind proxies the operator declares how many
(`DJANGO_TRUSTED_PROXY_COUNT`): each appends the address it saw, so the client is that many
entries from the right; entries further left were written by the client and are not trusted.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# What a request with no usable address counts as (a Unix socket with no proxy declared).
UNKNOWN_ADDRESS = "0.0.0.0"


def _valid(address: str) -> str | None:
    """The address normalised, without the port some load balancers add
    ("203.0.113.9:5555", "[2001:db8::1]:5555"); None when it is not one."""
    address = address.strip()
    if address.startswith("["):
        address = address[1:].split("]", 1)[0]
    elif address.count(":") == 1:
        address = address.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    remote = _valid(request.META.get("REMOTE_ADDR") or "") or UNKNOWN_ADDRESS
    hops = settings.TRUSTED_PROXY_COUNT
    if not hops:
        return remote
    forwarded = [
        entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()
    ]
    if len(forwarded) < hops:
        # Fewer entries than proxies: the request did not come through all of them, so the
        # header cannot be trusted; the connection's own address can.
        return remote
    return _valid(forwarded[-hops]) or remote
