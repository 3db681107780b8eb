"""A NUL character in a query string (`?q=%00abc`, `?status=%00`, `?term=%00`): PostgreSQL
refuses NUL in text, which was a 500; lifecycle.lib.nul's middleware takes it out and the
page answers as for the rest of what was typed, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.urls import reverse

from campaigns.models import Campaign
from lifecycle.lib.nul import query_without_nul
from lifecycle.outbox.models import OutboxEmail

pytestmark = pytest.mark.django_db

# Changelists of every app (the middleware cleans every request's query string), each with
# one of its text list filters.
CHANGELISTS = [
    ("accounts", "account", "industry"),
    ("accounts", "subscription", "plan"),
    ("accounts", "lead", "status"),
    ("accounts", "contact", "language"),
    ("surveys", "survey", "kind"),
    ("surveys", "invitation", "language"),
    ("surveys", "response", "kind"),
    ("surveys", "followup", "status"),
    ("auth", "user", None),
    ("campaigns", "campaign", "trigger"),
    ("campaigns", "message", "status"),
    ("campaigns", "event", "type"),
    ("campaigns", "unsubscription", "source"),
    ("campaigns", "engagement", "kind"),
    ("campaigns", "audience", "status"),
    ("campaigns", "suppression", "reason"),
    ("campaigns", "referral", "status"),
    ("outbox", "outboxemail", None),
]


def changelist(app: str, model: str) -> str:
    return reverse(f"admin:{app}_{model}_changelist")


@pytest.mark.parametrize(("app", "model", "list_filter"), CHANGELISTS)
def test_a_search_with_a_nul_searches_for_the_rest(superuser_client, app, model, list_filter):
    page = superuser_client.get(f"{changelist(app, model)}?q=%00abc")

    assert page.status_code == 200
    assert page.context["cl"].query == "abc"
    plain = superuser_client.get(changelist(app, model), {"q": "abc"})
    assert page.context["cl"].result_count == plain.context["cl"].result_count


@pytest.mark.parametrize(("app", "model", "list_filter"), [row for row in CHANGELISTS if row[2]])
def test_a_list_filter_with_a_nul_answers_the_page(superuser_client, app, model, list_filter):
    page = superuser_client.get(f"{changelist(app, model)}?{list_filter}=%00")

    assert page.status_code == 200
    assert page.context["cl"].result_count == 0  # nothing has an empty value there


def test_the_campaign_search_finds_what_follows_the_nul(superuser_client):
    Campaign.objects.create(name="Abc winback", slug="abc-winback")

    page = superuser_client.get(f"{changelist('campaigns', 'campaign')}?q=%00abc")

    assert [campaign.slug for campaign in page.context["cl"].result_list] == ["abc-winback"]
    assert Campaign.objects.count() > 1  # the default campaigns are there, not listed


def test_the_outbox_page_searches_for_what_follows_the_nul(marketer_client):
    for subject in ("Your abc invoice", "Welcome"):
        OutboxEmail.objects.create(
            from_email="crm@example.com", to="ana@example.com", subject=subject, raw=""
        )

    page = marketer_client.get("/outbox/?q=%00abc")

    assert page.status_code == 200
    assert [email.subject for email in page.context["page"]] == ["Your abc invoice"]
    assert page.context["q"] == "abc"


def test_every_name_and_value_of_a_query_loses_its_nul_and_a_clean_one_stays_as_it_is():
    clean = QueryDict("q=abc&status=sent&status=failed")
    dirty = QueryDict("q=%00abc&st%00atus=sent&status=fa%00iled")

    assert query_without_nul(clean) is clean
    assert dict(query_without_nul(dirty).lists()) == dict(clean.lists())


@pytest.mark.parametrize(
    ("model_name", "field_name"),
    [("contact", "account"), ("account", "owner")],  # autocompletes to Account and to User
)
def test_admins_autocomplete_with_a_nul_answers(superuser_client, model_name, field_name):
    answer = superuser_client.get(
        "/admin/autocomplete/",
        {
            "term": "\x00ab",
            "app_label": "accounts",
            "model_name": model_name,
            "field_name": field_name,
        },
    )

    assert answer.status_code == 200
    assert "results" in answer.json()
