"""Password guessing on both sign-in pages (django-axes) and two-factor sign-in for Admins
(django-otp), as a visitor meets them (docs/security.md, "Sign-in protection")."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lifecycle.staff.roles import ADMIN, MARKETER
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN_PAGES = ["/login/", "/admin/login/"]


@pytest.fixture(autouse=True)
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)


def sign_in(client: Client, page: str, username: str, password: str, address="203.0.113.7"):
    return client.post(
        page, {"username": username, "password": password, "next": "/"}, REMOTE_ADDR=address
    )


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


@pytest.mark.parametrize("login_page", LOGIN_PAGES)
def test_the_right_password_is_refused_once_a_username_is_locked(login_page):
    UserFactory(username="dana", role=ADMIN)
    client = Client()

    wrong = [sign_in(client, login_page, "dana", f"guess {n}").status_code for n in range(3)]
    right = sign_in(client, login_page, "dana", PASSWORD)

    assert wrong == [200, 200, 429]  # the third failure locks
    assert right.status_code == 429 and not signed_in(client)
    assert "Sign-in is locked for now" in right.text
    assert "Try again in 15 minutes" in right.text


def test_a_locked_username_stays_locked_from_any_address():
    UserFactory(username="dana", role=MARKETER)
    for n in range(3):
        sign_in(Client(), "/login/", "dana", "wrong", address=f"198.51.100.{n}")

    answer = sign_in(Client(), "/login/", "dana", PASSWORD, address="192.0.2.99")

    assert answer.status_code == 429


def test_an_address_guessing_many_usernames_is_locked_out_for_all_of_them():
    UserFactory(username="dana", role=MARKETER)
    answers = [
        sign_in(Client(), "/login/", name, "wrong").status_code
        for name in ("alice", "bob", "carol", "dave", "eve", "frank")
    ]

    from_there = sign_in(Client(), "/login/", "dana", PASSWORD)
    from_elsewhere = sign_in(Client(), "/login/", "dana", PASSWORD, address="192.0.2.99")

    assert answers == [200] * 5 + [429]  # the address's own limit, 6, not a username's 3
    assert from_there.status_code == 429
    assert from_elsewhere.status_code == 302


def test_one_person_locking_their_username_does_not_lock_out_others_at_their_address():
    # An office behind one address: someone mistypes their username until it locks.
    UserFactory(username="dana", role=MARKETER)
    typo = [sign_in(Client(), "/login/", "dnaa", "wrong").status_code for _ in range(4)]

    colleague = Client()
    answer = sign_in(colleague, "/login/", "dana", PASSWORD)

    assert typo == [200, 200, 429, 429]  # "dnaa" is locked
    assert answer.status_code == 302 and signed_in(colleague)


def test_a_forged_forwarded_header_does_not_escape_the_address_lockout():
    UserFactory(username="dana", role=MARKETER)
    client = Client()
    for n in range(6):
        client.post(
            "/login/",
            {"username": f"user{n}", "password": "wrong"},
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )

    answer = client.post(
        "/login/",
        {"username": "dana", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )

    assert answer.status_code == 429


def test_the_lockout_ends_after_the_cool_off():
    UserFactory(username="dana", role=MARKETER)
    client = Client()
    for _ in range(3):
        sign_in(client, "/login/", "dana", "wrong")
    AccessAttempt.objects.update(attempt_time=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))

    answer = sign_in(client, "/login/", "dana", PASSWORD)

    assert answer.status_code == 302 and signed_in(client)


def test_a_success_forgets_the_earlier_failures():
    UserFactory(username="dana", role=MARKETER)
    client = Client()
    for _ in range(2):
        sign_in(client, "/login/", "dana", "wrong")
    sign_in(client, "/login/", "dana", PASSWORD)
    client.post(reverse("logout"))

    for _ in range(2):
        sign_in(client, "/login/", "dana", "wrong")
    answer = sign_in(client, "/login/", "dana", PASSWORD)

    assert answer.status_code == 302


def test_signing_in_as_oneself_does_not_forget_guesses_at_someone_else():
    UserFactory(username="root", role=ADMIN)
    UserFactory(username="mary", role=MARKETER)
    client = Client()
    for _ in range(2):
        sign_in(client, "/login/", "root", "wrong")
    sign_in(client, "/login/", "mary", PASSWORD)
    client.post(reverse("logout"))

    third = sign_in(client, "/login/", "root", "wrong")
    right = sign_in(Client(), "/login/", "root", PASSWORD, address="192.0.2.99")

    assert third.status_code == 429
    assert right.status_code == 429


def test_the_enrolment_page_is_never_cached(settings):
    client = signed_in_admin(settings)

    page = client.get("/login/verify/")

    assert "no-store" in page["Cache-Control"]


def test_an_admin_unlocks_a_user_in_django_admin(admin_client_):
    dana = UserFactory(username="dana", role=MARKETER)
    for n in range(3):
        sign_in(Client(), "/login/", "dana", "wrong", address=f"198.51.100.{n}")

    unlocked = admin_client_.post(
        reverse("admin:auth_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [dana.pk]},
        follow=True,
    )
    answer = sign_in(Client(), "/login/", "dana", PASSWORD, address="192.0.2.99")

    assert "Sign-in unlocked for 1 user." in unlocked.text
    assert answer.status_code == 302


def test_a_marketer_cannot_unlock_anyone(marketer_client):
    answer = marketer_client.get(reverse("admin:auth_user_changelist"))

    assert answer.status_code == 302  # Django admin sends non-staff to its sign-in page


# --- Two-factor sign-in for Admins ---------------------------------------------------------------


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def signed_in_admin(settings) -> Client:
    settings.ADMIN_TWO_FACTOR = True
    UserFactory(username="root", role=ADMIN)
    client = Client()
    assert sign_in(client, "/login/", "root", PASSWORD).status_code == 302
    return client


def test_when_enforced_an_admin_must_enrol_before_any_page_opens(settings):
    client = signed_in_admin(settings)

    dashboard = client.get("/")
    admin_page = client.get("/admin/")
    enrol = client.get(dashboard["Location"])

    assert dashboard["Location"] == "/login/verify/?next=%2F"
    assert admin_page["Location"] == "/login/verify/?next=%2Fadmin%2F"
    assert enrol.status_code == 200
    assert "Scan this QR code" in enrol.text
    assert 'src="data:image/svg+xml;base64,' in enrol.text


def test_an_admin_enrols_with_a_code_from_the_app_and_then_works(settings):
    client = signed_in_admin(settings)
    client.get("/login/verify/")
    device = TOTPDevice.objects.get(user__username="root")

    wrong = client.post("/login/verify/", {"code": "000000", "next": "/admin/"})
    too_soon = client.post("/login/verify/", {"code": code_for(device), "next": "/admin/"})
    TOTPDevice.objects.update(throttling_failure_timestamp=None)  # the wait has passed
    right = client.post("/login/verify/", {"code": code_for(device), "next": "/admin/"})

    assert wrong.status_code == 400 and "That code is not right" in wrong.text
    assert too_soon.status_code == 400 and "Too many wrong codes" in too_soon.text
    assert right["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_the_next_sign_in_asks_for_the_code_of_the_enrolled_app(settings):
    client = signed_in_admin(settings)
    client.get("/login/verify/")
    device = TOTPDevice.objects.get(user__username="root")
    client.post("/login/verify/", {"code": code_for(device)})
    client.post(reverse("logout"))

    again = Client()
    sign_in(again, "/login/", "root", PASSWORD)
    page = again.get("/login/verify/")

    assert "Enter the 6-digit code your authenticator app shows." in page.text
    assert "Scan this QR code" not in page.text
    assert again.get("/")["Location"].startswith("/login/verify/")


def test_the_next_page_after_the_code_stays_on_this_site(settings):
    client = signed_in_admin(settings)
    client.get("/login/verify/")
    device = TOTPDevice.objects.get(user__username="root")

    answer = client.post("/login/verify/", {"code": code_for(device), "next": "https://evil.test/"})

    assert answer["Location"] == "/"


def test_anyone_django_admin_lets_in_must_give_the_second_factor(settings):
    settings.ADMIN_TWO_FACTOR = True
    mary = UserFactory(username="mary", role=MARKETER)
    mary.is_staff = True  # ticked by hand in admin, outside the Admin role
    mary.save()
    client = Client()
    sign_in(client, "/login/", "mary", PASSWORD)

    assert client.get("/admin/")["Location"].startswith("/login/verify/")
    assert client.get("/outbox/")["Location"].startswith("/login/verify/")


def test_other_roles_and_unenforced_admins_sign_in_with_a_password_only(settings):
    UserFactory(username="mary", role=MARKETER)
    settings.ADMIN_TWO_FACTOR = True
    marketer = Client()
    sign_in(marketer, "/login/", "mary", PASSWORD)

    settings.ADMIN_TWO_FACTOR = False
    UserFactory(username="root", role=ADMIN)
    admin = Client()
    sign_in(admin, "/login/", "root", PASSWORD)

    assert marketer.get("/").status_code == 200
    assert admin.get("/admin/").status_code == 200
