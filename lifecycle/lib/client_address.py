"""The address of the client a request comes from: the one home of that rule
(docs/security.md, "Client addresses and rate limits").

Without a proxy, `REMOTE_ADDR` is the client and `X-Forwarded-For` is whatever the client
chose to write, so it is ignored. Behind proxies the operator declares how many
(`DJANGO_TRUSTED_PROXY_COUNT`): each appends the address it saw, so the client is that many
entries from the right; entries further left were written by the client and are not trusted.

Limits (the public pages' rate limits, the sign-in lockout) count an IPv6 client by its /64
network, `client_network()`: a home line or a server is given a whole /64, so counting single
addresses would hand anyone 2^64 fresh ones.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# What a request with no usable address counts as (a Unix socket with no proxy declared).
UNKNOWN_ADDRESS = "0.0.0.0"

# The smallest IPv6 network a subscriber is given (one LAN: SLAAC needs a /64), so the
# smallest unit that one attacker cannot multiply at will.
IPV6_NETWORK_PREFIX = 64


def _valid(address: str) -> str | None:
    """The address normalised, without the port some load balancers add
    ("203.0.113.9:5555", "[2001:db8::1]:5555"); None when it is not one."""
    address = address.strip()
    if address.startswith("["):
        address = address[1:].split("]", 1)[0]
    elif address.count(":") == 1:
        address = address.split(":", 1)[0]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    # A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d: it is that IPv4 client.
    if parsed.version == 6 and parsed.ipv4_mapped:
        parsed = parsed.ipv4_mapped
    return str(parsed)


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


def _network(address: str) -> str:
    """An IPv6 address as its /64 network's first address; an IPv4 address as it is."""
    parsed = ipaddress.ip_address(address)
    if parsed.version == 4:
        return address
    network = ipaddress.ip_network(f"{parsed}/{IPV6_NETWORK_PREFIX}", strict=False)
    return str(network.network_address)


def client_network(request: HttpRequest) -> str:
    """What limits count a request by: its client's address, an IPv6 one as its /64."""
    return _network(client_address(request))
