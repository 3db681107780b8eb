from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import Account
from campaigns.models import Message
from tests.factories import AccountFactory


@pytest.mark.django_db
def test_bootstrap_loads_demo_data_on_first_run_and_prints_the_demo_login(settings):
    settings.DEBUG = True
    out = StringIO()

    call_command("bootstrap", stdout=out)

    assert Account.objects.count() >= 100
    # As /login/ does: django-axes needs the request.
    user = authenticate(RequestFactory().post("/login/"), username="demo", password="demo")
    assert user is not None and user.is_staff
    assert "/login/ as demo / demo" in out.getvalue()
    # The demo's newest customer started today: its welcome is queued at once, not an hour
    # later when beat first runs the campaign; running again queues nothing twice.
    welcomes = Message.objects.filter(campaign__slug="welcome")
    assert welcomes.filter(reason=f"Customer since {timezone.localdate():%Y-%m-%d}").exists()
    count = Message.objects.count()
    call_command("bootstrap", stdout=StringIO())
    assert Message.objects.count() == count


@pytest.mark.django_db
def test_bootstrap_leaves_existing_data_alone_and_can_run_again(settings):
    settings.DEBUG = True
    AccountFactory(name="Real customer")

    call_command("bootstrap", stdout=StringIO())
    call_command("bootstrap", stdout=StringIO())

    assert list(Account.objects.values_list("name", flat=True)) == ["Real customer"]


@pytest.mark.django_db
def test_bootstrap_refuses_to_create_a_known_password_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("bootstrap", stdout=StringIO())
