"""The page a locked-out visitor gets keeps its message and leads back to the sign-in page
they came from."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from lifecycle.staff.roles import ADMIN
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)


def locked_page(login_page: str) -> str:
    UserFactory(username="dana", role=ADMIN)
    client = Client()
    for n in range(2):
        answer = client.post(
            login_page, {"username": "dana", "password": f"guess {n}"}, REMOTE_ADDR="203.0.113.7"
        )
    assert answer.status_code == 429
    return answer.content.decode()


@pytest.mark.parametrize(
    ("login_page", "back"), [("/login/", "/login/"), ("/admin/login/", "/admin/login/")]
)
def test_the_lockout_page_links_back_to_its_sign_in_page(login_page, back):
    page = locked_page(login_page)

    assert "Sign-in is locked for now" in page
    assert "Try again in 15 minutes" in page
    assert f'<a href="{back}">Back to sign in</a>' in page
