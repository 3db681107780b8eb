"""API tokens: hashed and expiring (django-rest-knox), issued in admin or by a command,
revoked in admin, and the plaintext keys of before carried over by a migration
(docs/security.md, "Headers and API tokens")."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken

from lifecycle.staff.roles import MARKETER, VIEWER
from tests.database import database_dump
from tests.factories import UserFactory, api_token
from tests.lifecycle.test_settings import manage, setting_values
from tests.migrations import migrate, migrate_to_latest

ACCOUNTS = "/api/v1/accounts/"
TOKENS_ADMIN = "/admin/staff/apitoken/"
BEFORE_HASHING = [
    ("staff", "0003_access_staff_area"),
    ("authtoken", "0004_alter_tokenproxy_options"),
    ("knox", "0009_extend_authtoken_field"),
]
OLD_KEY = "0f3a9c1e5b7d2468ace013579bdf2468ace01357"  # DRF's 40 hexadecimal characters


def call_api(key: str, url: str = ACCOUNTS):
    return Client(HTTP_AUTHORIZATION=f"Token {key}").get(url)


def days_later(monkeypatch, days: int) -> None:
    """Every clock Django and knox read, moved on."""
    now = timezone.now() + dt.timedelta(days=days)
    monkeypatch.setattr(timezone, "now", lambda: now)


@pytest.mark.django_db
def test_a_token_authenticates_as_its_user_with_the_token_header():
    key = api_token(UserFactory(username="integration", role=VIEWER))

    response = call_api(key)

    assert response.status_code == 200
    assert call_api("0" * 64).status_code == 401


@pytest.mark.django_db
def test_a_token_expires_after_api_token_days_and_is_then_refused(monkeypatch, settings):
    settings.API_TOKEN_DAYS = 30
    key = api_token(UserFactory(role=VIEWER))
    [token] = AuthToken.objects.all()
    assert token.expiry - timezone.now() == pytest.approx(
        dt.timedelta(days=30), abs=dt.timedelta(minutes=1)
    )

    days_later(monkeypatch, 31)
    response = call_api(key)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not AuthToken.objects.exists()  # knox deletes an expired token it is shown


@pytest.mark.django_db
def test_a_token_still_works_the_day_before_it_expires(monkeypatch):
    key = api_token(UserFactory(role=VIEWER), days=7)

    days_later(monkeypatch, 6)

    assert call_api(key).status_code == 200


@pytest.mark.django_db
def test_a_token_revoked_in_admin_is_refused(admin_client_):
    key = api_token(UserFactory(role=VIEWER))
    token = AuthToken.objects.get()
    assert call_api(key).status_code == 200

    admin_client_.post(f"{TOKENS_ADMIN}{token.pk}/delete/", {"post": "yes"})

    assert not AuthToken.objects.exists()
    assert call_api(key).status_code == 401


@pytest.mark.django_db
def test_the_token_of_a_deactivated_user_is_refused():
    user = UserFactory(role=VIEWER)
    key = api_token(user)
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert call_api(key).status_code == 401


@pytest.mark.django_db
def test_admin_issues_a_token_showing_its_key_once_and_the_database_never_holds_it(
    admin_client_,
):
    integration = UserFactory(username="zendesk", role=MARKETER)

    issued = admin_client_.post(f"{TOKENS_ADMIN}add/", {"user": integration.pk, "days": "10"})

    assert issued.status_code == 200
    assert "no-store" in issued["Cache-Control"]
    token = AuthToken.objects.get(user=integration)
    key = issued.context["key"]
    assert f'value="{key}"' in issued.content.decode()
    assert token.expiry.date() == (timezone.now() + dt.timedelta(days=10)).date()
    assert token.digest == hashlib.sha512(key.encode()).hexdigest()
    assert key not in database_dump()  # nor in the admin's history or the session
    assert call_api(key).status_code == 200
    # The token's page in admin, and the list, never show it again.
    for url in (TOKENS_ADMIN, f"{TOKENS_ADMIN}{token.pk}/change/"):
        page = admin_client_.get(url)
        assert page.status_code == 200 and key not in page.content.decode()
        assert key[:8] in page.content.decode()  # what tells tokens apart


@pytest.mark.django_db
def test_admin_refuses_a_token_valid_for_no_days(admin_client_):
    integration = UserFactory(role=MARKETER)

    response = admin_client_.post(f"{TOKENS_ADMIN}add/", {"user": integration.pk, "days": "0"})

    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert not AuthToken.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["viewer_client", "marketer_client"])
def test_only_admins_reach_the_tokens_in_admin(persona, request):
    assert request.getfixturevalue(persona).get(TOKENS_ADMIN).status_code == 302


@pytest.mark.django_db
def test_the_command_prints_a_key_that_works_for_the_days_asked():
    UserFactory(username="zapier", role=VIEWER)
    out, err = io.StringIO(), io.StringIO()

    call_command("create_api_token", "zapier", "--days", "14", stdout=out, stderr=err)

    key = out.getvalue().strip()
    assert len(key) == 64
    assert call_api(key).status_code == 200
    token = AuthToken.objects.get()
    assert token.expiry.date() == (timezone.now() + dt.timedelta(days=14)).date()
    assert "Authorization: Token KEY" in err.getvalue()
    assert key not in database_dump()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"), [(["nobody"], "No active user"), (["zapier", "--days", "0"], "--days")]
)
def test_the_command_refuses_an_unknown_user_or_no_days(args, message):
    UserFactory(username="zapier")

    with pytest.raises(CommandError, match=message):
        call_command("create_api_token", *args, stdout=io.StringIO())
    assert not AuthToken.objects.exists()


@pytest.mark.django_db
def test_checking_a_token_costs_one_query_however_many_tokens_the_user_has():
    user = UserFactory(role=VIEWER)
    key = api_token(user)
    api_token(user)
    api_token(user)

    with CaptureQueriesContext(connection) as queries:
        assert call_api(key).status_code == 200

    assert len([q for q in queries if "knox_authtoken" in q["sql"]]) == 1


def test_the_schema_documents_the_token_header(viewer_client):
    schema = viewer_client.get("/api/schema/?format=json").json()

    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert '"Token"' in scheme["description"]
    assert {"tokenAuth": []} in schema["paths"][ACCOUNTS]["get"]["security"]


def test_the_default_lifetime_comes_from_api_token_days_and_must_be_a_day_or_more():
    assert setting_values({"API_TOKEN_DAYS": "30"}, 'REST_KNOX["TOKEN_TTL"]') == [
        "30 days, 0:00:00"
    ]
    assert setting_values({}, "API_TOKEN_DAYS") == ["90"]
    refused = manage("check", env={"API_TOKEN_DAYS": "0"})
    assert refused.returncode != 0 and "API_TOKEN_DAYS" in refused.stderr


# --- The upgrade from DRF's plaintext tokens ---------------------------------------------


@pytest.fixture
def back_to_latest():
    yield
    migrate_to_latest()


@pytest.fixture
def upgraded(back_to_latest) -> str:
    """A database of the release before, with an integration's plaintext key, upgraded."""
    old = migrate(BEFORE_HASHING)
    user = old.get_model("auth", "User").objects.create(username="legacy", is_superuser=True)
    old.get_model("authtoken", "Token").objects.create(key=OLD_KEY, user=user)

    migrate_to_latest()
    return OLD_KEY


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_keeps_an_old_key_working_and_no_plaintext_left(upgraded):
    assert call_api(upgraded).status_code == 200

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
    assert upgraded not in database_dump()
    token = AuthToken.objects.get()
    assert token.user.username == "legacy"
    assert token.expiry - timezone.now() == pytest.approx(
        dt.timedelta(days=90), abs=dt.timedelta(minutes=1)
    )


@pytest.mark.django_db(transaction=True)
def test_an_old_key_stops_working_90_days_after_the_upgrade(upgraded, monkeypatch):
    days_later(monkeypatch, 89)
    assert call_api(upgraded).status_code == 200

    days_later(monkeypatch, 91)
    assert call_api(upgraded).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_rotating_an_old_key_replaces_it(upgraded, admin_client_):
    legacy = AuthToken.objects.get()
    new_key = api_token(legacy.user)

    admin_client_.post(f"{TOKENS_ADMIN}{legacy.pk}/delete/", {"post": "yes"})

    assert call_api(upgraded).status_code == 401
    assert call_api(new_key).status_code == 200
