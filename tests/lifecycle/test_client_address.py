"""Which address a request counts as, with 0, 1 and 2 trusted proxies, and what a client
that forges X-Forwarded-For gets (docs/security.md, "Client addresses and rate limits")."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.urls import reverse

from lifecycle.lib import links
from lifecycle.lib.client_address import client_address
from lifecycle.lib.ratelimit import check_shared_cache
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db

CLIENT = "203.0.113.7"
OTHER_CLIENT = "198.51.100.20"
PROXY_1 = "10.0.0.1"  # the proxy nearest the client
PROXY_2 = "10.0.0.2"  # the one in front of the app: the app's REMOTE_ADDR


def request_through(rf, hops: int, *, client: str = CLIENT, forged: str | None = None):
    """The request the app receives when `client` (writing `forged` as its own
    X-Forwarded-For) reaches it through `hops` proxies that each append what they saw."""
    chain = [client, PROXY_1, PROXY_2][: hops + 1]
    header = [forged] if forged else []
    header += chain[:-1]  # each proxy appends the address it received the request from
    meta = {"REMOTE_ADDR": chain[-1]}
    if header:
        meta["HTTP_X_FORWARDED_FOR"] = ", ".join(header)
    return rf.get("/", **meta)


@pytest.mark.parametrize("hops", [0, 1, 2])
@pytest.mark.parametrize("forged", [None, "192.0.2.66", "192.0.2.66, 192.0.2.67", "not-an-ip"])
def test_the_client_is_found_with_any_number_of_proxies_whatever_the_client_forges(
    rf, settings, hops, forged
):
    settings.TRUSTED_PROXY_COUNT = hops

    assert client_address(request_through(rf, hops, forged=forged)) == CLIENT


def test_without_a_declared_proxy_the_header_is_ignored(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR="192.0.2.66")

    assert client_address(request) == CLIENT


def test_a_request_that_skipped_a_declared_proxy_counts_as_its_connection(rf, settings):
    # Two proxies declared, but the request carries one entry: it did not come through both.
    settings.TRUSTED_PROXY_COUNT = 2
    request = rf.get("/", REMOTE_ADDR=PROXY_2, HTTP_X_FORWARDED_FOR="192.0.2.66")

    assert client_address(request) == PROXY_2


def test_a_garbage_entry_where_the_client_should_be_counts_as_the_connection(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR=PROXY_1, HTTP_X_FORWARDED_FOR="<script>")

    assert client_address(request) == PROXY_1


@pytest.mark.parametrize(
    ("entry", "address"),
    [("203.0.113.9:5555", "203.0.113.9"), ("[2001:db8::1]:5555", "2001:db8::1")],
)
def test_a_port_the_proxy_adds_is_dropped(rf, settings, entry, address):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR=PROXY_1, HTTP_X_FORWARDED_FOR=entry)

    assert client_address(request) == address


def test_ipv6_addresses_are_normalised(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR=PROXY_1, HTTP_X_FORWARDED_FOR="2001:DB8:0:0::1")

    assert client_address(request) == "2001:db8::1"


# --- The rate limits read it -------------------------------------------------------------------


def survey_link() -> str:
    invitation = InvitationFactory()
    token = links.sign(links.SURVEY_ANSWER, invitation.public_id)
    return reverse("surveys:answer", args=[token, 9])


def get_as(client, url: str, hops: int, *, client_address_: str, forged: str) -> int:
    chain = [client_address_, PROXY_1, PROXY_2][: hops + 1]
    header = ", ".join([forged, *chain[:-1]])
    return client.get(url, REMOTE_ADDR=chain[-1], HTTP_X_FORWARDED_FOR=header).status_code


@pytest.mark.parametrize("hops", [0, 1, 2])
def test_a_new_forged_header_on_every_request_does_not_escape_the_limit(client, settings, hops):
    settings.TRUSTED_PROXY_COUNT = hops
    settings.RATE_LIMITS = {"survey": 5}
    url = survey_link()

    answers = [
        get_as(client, url, hops, client_address_=CLIENT, forged=f"192.0.2.{n}") for n in range(30)
    ]

    assert answers.count(200) == 5 and answers.count(429) == 25


@pytest.mark.parametrize("hops", [1, 2])
def test_one_client_cannot_spend_another_clients_budget(client, settings, hops):
    settings.TRUSTED_PROXY_COUNT = hops
    settings.RATE_LIMITS = {"survey": 3}
    url = survey_link()

    # The attacker names the victim's address in the header it writes.
    flood = [
        get_as(client, url, hops, client_address_=CLIENT, forged=OTHER_CLIENT) for _ in range(10)
    ]
    victim = get_as(client, url, hops, client_address_=OTHER_CLIENT, forged=OTHER_CLIENT)

    assert flood.count(429) == 7
    assert victim == 200


@pytest.mark.parametrize("hops", [1, 2])
def test_visitors_behind_the_same_proxies_are_counted_apart(client, settings, hops):
    settings.TRUSTED_PROXY_COUNT = hops
    settings.RATE_LIMITS = {"survey": 1}
    url = survey_link()

    first = get_as(client, url, hops, client_address_=CLIENT, forged="")
    second = get_as(client, url, hops, client_address_=OTHER_CLIENT, forged="")

    assert (first, second) == (200, 200)


# --- A shared cache in production --------------------------------------------------------------


@pytest.mark.parametrize(
    ("debug", "backend", "errors"),
    [
        (False, "django.core.cache.backends.locmem.LocMemCache", ["lifecycle.E001"]),
        (False, "django.core.cache.backends.filebased.FileBasedCache", ["lifecycle.E001"]),
        (False, "django.core.cache.backends.dummy.DummyCache", ["lifecycle.E001"]),
        (False, "django.core.cache.backends.redis.RedisCache", []),
        (True, "django.core.cache.backends.locmem.LocMemCache", []),
    ],
)
def test_a_deployment_refuses_a_cache_its_processes_do_not_share(settings, debug, backend, errors):
    settings.DEBUG = debug
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "redis://127.0.0.1:6379/9"}}

    assert [error.id for error in check_shared_cache()] == errors


def test_the_check_is_registered(settings):
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    found = [message.id for message in run_checks(tags=["caches"])]

    assert "lifecycle.E001" in found
