"""Personas and shared fixtures: a user of each role, an outsider with no role, anonymous."""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from lifecycle.staff.roles import ADMIN, MARKETER, VIEWER
from tests.factories import UserFactory
from tests.smtp import SMTPServer, use_smtp

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM use there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# A wall-clock deadline per example flakes on a loaded CI machine; speed is measured in bench/.
hypothesis_settings.register_profile("project", deadline=None)
hypothesis_settings.load_profile("project")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 costs a third of a second per user; tests are about access, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_campaigns_in_transactional_tests(request):
    """A transactional test starts from a flushed database, without the rows migrations
    created (default surveys, campaigns, beat schedules): create them again."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        from django.apps import apps

        for migration in (
            "0003_default_campaigns",
            "0008_default_lifecycle_campaigns",
            "0010_frequency_cap",
            "0015_referral_link_in_the_referral_request",
        ):
            defaults = importlib.import_module(f"campaigns.migrations.{migration}")
            defaults.create_defaults(apps, None)


@pytest.fixture
def smtp(settings) -> Iterator[SMTPServer]:
    """A real SMTP server that this process sends through; modules add their settings by
    overriding it (`def smtp(smtp, settings)`)."""
    with SMTPServer() as server:
        use_smtp(settings, server.port)
        yield server


@pytest.fixture(autouse=True)
def fresh_cache():
    """The local-memory cache lives as long as the test process; rate limits count in it."""
    cache.clear()


@pytest.fixture(autouse=True)
def english_after_each_test():
    """A request in Spanish leaves Spanish active in the thread; tests must not inherit it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def viewer(db):
    return UserFactory(username="viewer", role=VIEWER)


@pytest.fixture
def marketer(db):
    return UserFactory(username="marketer", role=MARKETER)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=ADMIN)


@pytest.fixture
def outsider(db):
    """Signed in, but given no role: must see nothing."""
    return UserFactory(username="outsider")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def viewer_client(viewer) -> Client:
    return client_for(viewer)


@pytest.fixture
def marketer_client(marketer) -> Client:
    return client_for(marketer)


@pytest.fixture
def admin_client_(admin_user) -> Client:
    return client_for(admin_user)


@pytest.fixture
def outsider_client(outsider) -> Client:
    return client_for(outsider)


@pytest.fixture
def superuser_client(db) -> Client:
    """Every admin page and action, whatever the roles allow."""
    return client_for(get_user_model().objects.create_superuser("root", "root@example.com", "pw"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a downloaded browser (DEVELOPERS.md)."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs it with apt-get.")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }
