from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from lifecycle.staff.roles import VIEWER
from tests.factories import SubscriptionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/accounts/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()


def test_a_viewer_signs_in_and_sees_the_accounts_list(page: Page, live_server):
    UserFactory(username="vera", role=VIEWER)
    SubscriptionFactory(account__name="Acme Robotics")

    sign_in(page, live_server.url, "vera")

    expect(page).to_have_url(f"{live_server.url}/accounts/")
    expect(page.get_by_role("heading", name="Accounts")).to_be_visible()
    expect(page.get_by_role("link", name="Acme Robotics")).to_be_visible()
    expect(page.get_by_role("cell", name="Customer")).to_be_visible()


def test_a_wrong_password_keeps_the_visitor_out(page: Page, live_server):
    UserFactory(username="vera", role=VIEWER)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("vera")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login/"))


def test_the_language_switcher_shows_the_ui_in_spanish(page: Page, live_server):
    UserFactory(username="vera", role=VIEWER)
    sign_in(page, live_server.url, "vera")

    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()

    expect(page.get_by_role("heading", name="Cuentas")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
