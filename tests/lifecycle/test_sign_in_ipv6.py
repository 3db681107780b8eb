"""The sign-in lockout counts an IPv6 client by its /64, as the public pages' rate limits do,
and an IPv4 client by its address (docs/security.md, "Sign-in protection")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from lifecycle.lib import client_address, links
from lifecycle.staff.roles import MARKETER
from tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
HOME_LINE = "2001:db8:1:2"  # one subscriber's /64
NEIGHBOUR = "2001:db8:1:3"  # the next /64, someone else's


@pytest.fixture(autouse=True)
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 5  # what is counted here, not how many
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)


def sign_in(address: str, username: str, password: str) -> tuple[int, bool]:
    client = Client()
    answer = client.post(
        "/login/", {"username": username, "password": password, "next": "/"}, REMOTE_ADDR=address
    )
    return answer.status_code, SESSION_KEY in client.session


def guess_five_usernames(addresses: list[str]) -> list[int]:
    """One wrong password for each of five usernames, each from its own address: only the
    address lockout can stop this."""
    return [sign_in(address, f"user{n}", "wrong")[0] for n, address in enumerate(addresses)]


def test_five_addresses_of_one_64_guessing_lock_the_whole_64():
    UserFactory(username="dana", role=MARKETER)
    UserFactory(username="erin", role=MARKETER)

    guesses = guess_five_usernames([f"{HOME_LINE}::{n}" for n in range(1, 6)])
    same_line = sign_in(f"{HOME_LINE}:ffff:ffff:ffff:ffff", "dana", PASSWORD)
    next_line = sign_in(f"{NEIGHBOUR}::1", "erin", PASSWORD)

    assert guesses == [200, 200, 200, 200, 429]  # the fifth failure locks
    assert same_line == (429, False)  # the right password, from a sixth address of the /64
    assert next_line == (302, True)


def test_an_ipv6_address_counts_the_same_however_it_is_written():
    UserFactory(username="dana", role=MARKETER)

    guess_five_usernames(
        [
            "2001:db8:1:2::1",
            "2001:DB8:1:2:0:0:0:2",
            "[2001:db8:1:2::3]:5555",  # with the port some load balancers add
            "2001:0db8:0001:0002::4",
            "2001:db8:1:2:abcd::5",
        ]
    )

    assert sign_in("2001:db8:1:2::99", "dana", PASSWORD) == (429, False)


def test_ipv4_clients_are_still_counted_one_address_at_a_time():
    UserFactory(username="dana", role=MARKETER)
    UserFactory(username="erin", role=MARKETER)

    spread = guess_five_usernames([f"203.0.113.{n}" for n in range(1, 6)])
    neighbour = sign_in("203.0.113.6", "dana", PASSWORD)
    one_address = guess_five_usernames(["198.51.100.7"] * 5)
    from_there = sign_in("198.51.100.7", "erin", PASSWORD)

    assert spread == [200] * 5 and neighbour == (302, True)
    assert one_address[-1] == 429 and from_there == (429, False)


def test_ipv4_clients_seen_through_a_dual_stack_socket_are_not_lumped_together():
    # ::ffff:a.b.c.d masked to a /64 would be "::" for every IPv4 client on the Internet.
    UserFactory(username="dana", role=MARKETER)

    guess_five_usernames([f"::ffff:198.51.100.{n}" for n in range(1, 6)])

    assert sign_in("::ffff:192.0.2.99", "dana", PASSWORD) == (302, True)


def test_an_ipv4_client_counts_as_one_whether_or_not_the_socket_maps_it():
    UserFactory(username="dana", role=MARKETER)

    guesses = guess_five_usernames(["::ffff:198.51.100.7"] * 4 + ["198.51.100.7"])

    assert guesses[-1] == 429
    assert sign_in("::ffff:198.51.100.7", "dana", PASSWORD) == (429, False)


# --- The public pages' rate limits group by the same network ------------------------------------


def survey_link() -> str:
    invitation = InvitationFactory()
    return reverse(
        "surveys:answer", args=[links.sign(links.SURVEY_ANSWER, invitation.public_id), 9]
    )


def test_the_rate_limits_count_a_64_as_one_client(client, settings):
    settings.RATE_LIMITS = {"survey": 3}
    url = survey_link()

    answers = [client.get(url, REMOTE_ADDR=f"{HOME_LINE}::{n}").status_code for n in range(1, 5)]
    neighbour = client.get(url, REMOTE_ADDR=f"{NEIGHBOUR}::1").status_code

    assert answers == [200, 200, 200, 429] and neighbour == 200


def test_both_limits_follow_the_one_prefix(client, settings, monkeypatch):
    # Widened to a /56, the two /64s above are one client for the rate limits and the lockout.
    monkeypatch.setattr(client_address, "IPV6_NETWORK_PREFIX", 56)
    settings.RATE_LIMITS = {"survey": 1}
    UserFactory(username="dana", role=MARKETER)
    url = survey_link()

    pages = [
        client.get(url, REMOTE_ADDR=f"{line}::1").status_code for line in (HOME_LINE, NEIGHBOUR)
    ]
    guess_five_usernames([f"{HOME_LINE}::{n}" for n in range(1, 6)])

    assert pages == [200, 429]
    assert sign_in(f"{NEIGHBOUR}::1", "dana", PASSWORD) == (429, False)
