"""Walks every URL the project defines as each role and as an anonymous visitor.

A URL added without an entry in EXPECTED fails the test, so no page ships unchecked.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Lead
from campaigns.models import Event, Referral, TrackedLink
from campaigns.referrals import code_for
from lifecycle.lib import links
from lifecycle.outbox.models import OutboxEmail
from lifecycle.staff.roles import ADMIN, MARKETER, VIEWER
from lifecycle.urls import ANYMAIL_TRACKING
from surveys.models import FollowUp
from tests.factories import (
    ContactFactory,
    MessageFactory,
    ResponseFactory,
    SubscriptionFactory,
    UserFactory,
    api_token,
)

PERSONAS = ("anonymous", "outsider", "viewer", "marketer", "admin")
LOGIN = 302  # anonymous visitors of staff pages are sent to /login/


def everyone(code: int) -> dict[str, int]:
    return dict.fromkeys(PERSONAS, code)


def staff_page(viewer: int) -> dict[str, int]:
    """A page needing a role: Viewer gets `viewer`, Marketer and Admin get 200."""
    return {"anonymous": LOGIN, "outsider": 403, "viewer": viewer, "marketer": 200, "admin": 200}


def api(viewer: int = 200) -> dict[str, int]:
    return {"anonymous": 401, "outsider": 403, "viewer": viewer, "marketer": 200, "admin": 200}


EXPECTED: dict[str, dict[str, int]] = {
    "home": staff_page(viewer=200),
    "login": {**everyone(302), "anonymous": 200},  # signed-in users go on to the dashboard
    "logout": everyone(405),  # sign-out is a POST
    "two-factor": everyone(302),  # with ADMIN_TWO_FACTOR off it only sends people on
    "set_language": everyone(302),
    "healthz": everyone(200),
    "accounts:list": staff_page(viewer=200),
    "accounts:list-csv": staff_page(viewer=200),
    "accounts:detail": staff_page(viewer=200),
    "accounts:create": staff_page(viewer=403),
    "accounts:edit": staff_page(viewer=403),
    "accounts:contact-create": staff_page(viewer=403),
    "accounts:contact-edit": staff_page(viewer=403),
    "accounts:subscription-create": staff_page(viewer=403),
    "accounts:subscription-edit": staff_page(viewer=403),
    "accounts:import": staff_page(viewer=403),
    "metrics:series-csv": staff_page(viewer=200),
    "metrics:churn": staff_page(viewer=200),
    "metrics:churn-csv": staff_page(viewer=200),
    "metrics-series": api(),
    "metrics-daily": api(),
    "metrics:cohorts": staff_page(viewer=200),
    "metrics:cohorts-csv": staff_page(viewer=200),
    "metrics-cohorts": api(),
    "outbox:list": staff_page(viewer=403),
    "outbox:detail": staff_page(viewer=403),
    "api-root": api(),
    "account-list": api(),
    "account-detail": api(),
    "contact-list": api(),
    "contact-detail": api(),
    "subscription-list": api(),
    "subscription-detail": api(),
    "metrics": api(),
    "api-schema": api(),
    "api-docs": api(),
    "admin:index": {**everyone(302), "admin": 200},
    # Surveys and campaigns: staff pages and API.
    "surveys:responses": staff_page(viewer=200),
    "surveys:responses-csv": staff_page(viewer=200),
    "surveys:response-detail": staff_page(viewer=200),
    "surveys:follow-ups": staff_page(viewer=200),
    "surveys:follow-up-detail": staff_page(viewer=200),
    "response-list": api(),
    "response-detail": api(),
    "invitation-list": api(),
    "invitation-detail": api(),
    "event-list": api(),
    "event-detail": api(),
    # Public pages reached from emails: a signed token is the only key, no sign-in.
    "surveys:answer": everyone(200),
    "surveys:answer-form": everyone(200),
    "campaigns:unsubscribe": everyone(200),
    "campaigns:preferences": everyone(200),
    "campaigns:open": everyone(200),
    "campaigns:click": everyone(302),
    "campaigns:referral": everyone(200),
    "campaigns:referrals": staff_page(viewer=200),
    # POST only, for those who may change referrals.
    "campaigns:referral-update": {
        "anonymous": LOGIN,
        "outsider": 403,
        "viewer": 403,
        "marketer": 405,
        "admin": 405,
    },
    # Email providers' webhooks: POST with the webhook secret only.
    **{f"anymail:{pattern.name}": everyone(405) for pattern in ANYMAIL_TRACKING},
}


def project_url_names(patterns=None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if inner == "admin:":
                names.add("admin:index")  # the admin's own pages are walked below
                continue
            names |= project_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


@pytest.fixture
def objects(db):
    subscription = SubscriptionFactory()
    contact = ContactFactory(account=subscription.account)
    email = OutboxEmail.objects.create(
        from_email="a@example.com", to="b@example.com", subject="s", raw=""
    )
    response = ResponseFactory()
    follow_up = FollowUp.objects.create(
        account=response.account, response=response, reasons="detractor"
    )
    return {
        "account": subscription.account,
        "contact": contact,
        "subscription": subscription,
        "email": email,
        "message": (message := MessageFactory()),
        "link": TrackedLink.objects.create(message=message, position=0, url="https://example.org/"),
        "response": response,
        "invitation": response.invitation,
        "follow_up": follow_up,
        "event": Event.objects.create(
            type="ticket_closed", contact=contact, occurred_at=timezone.now()
        ),
        "referral": Referral.objects.create(
            referrer=contact, lead=Lead.objects.create(email="lead@example.com", source="referral")
        ),
    }


QUERIES = {
    "metrics": "?start=2024-01-01&end=2025-01-01",
    "metrics-series": "?start=2024-01-01&end=2025-01-01",
    "metrics-daily": "?start=2024-01-01&end=2025-01-01",
    "metrics-cohorts": "?start=2024-01&end=2024-12",
}


def kwargs_for(name: str, objects: dict) -> dict[str, object]:
    account = objects["account"].pk
    answer_token = links.sign(links.SURVEY_ANSWER, objects["invitation"].public_id)
    message_id = objects["message"].public_id
    return {
        "accounts:detail": {"pk": account},
        "accounts:edit": {"pk": account},
        "accounts:contact-create": {"pk": account},
        "accounts:contact-edit": {"pk": account, "contact_pk": objects["contact"].pk},
        "accounts:subscription-create": {"pk": account},
        "accounts:subscription-edit": {
            "pk": account,
            "subscription_pk": objects["subscription"].pk,
        },
        "outbox:detail": {"pk": objects["email"].pk},
        "surveys:response-detail": {"pk": objects["response"].pk},
        "surveys:follow-up-detail": {"pk": objects["follow_up"].pk},
        "response-detail": {"pk": objects["response"].pk},
        "invitation-detail": {"pk": objects["invitation"].pk},
        "event-detail": {"pk": objects["event"].pk},
        "surveys:answer": {"token": answer_token, "score": 9},
        "surveys:answer-form": {"token": answer_token},
        "campaigns:unsubscribe": {"token": links.sign(links.UNSUBSCRIBE, message_id)},
        "campaigns:preferences": {"token": links.sign(links.PREFERENCES, message_id)},
        "campaigns:open": {"token": links.sign(links.OPEN, message_id)},
        "campaigns:click": {"token": links.sign(links.CLICK, objects["link"].public_id)},
        "campaigns:referral": {"code": code_for(objects["contact"]).code},
        "campaigns:referral-update": {"pk": objects["referral"].pk},
        "account-detail": {"pk": account},
        "contact-detail": {"pk": objects["contact"].pk},
        "subscription-detail": {"pk": objects["subscription"].pk},
    }.get(name, {})


@pytest.fixture
def clients(db) -> dict[str, Client]:
    users = {
        "outsider": UserFactory(username="walk-outsider"),
        "viewer": UserFactory(username="walk-viewer", role=VIEWER),
        "marketer": UserFactory(username="walk-marketer", role=MARKETER),
        "admin": UserFactory(username="walk-admin", role=ADMIN),
    }
    clients = {"anonymous": Client()}
    for persona, user in users.items():
        clients[persona] = Client()
        clients[persona].force_login(user)
    return clients


def test_every_url_has_an_expected_answer_for_every_persona():
    assert project_url_names() == set(EXPECTED)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_persona_gets_the_expected_answer(name, clients, objects):
    url = reverse(name, kwargs=kwargs_for(name, objects)) + QUERIES.get(name, "")
    answers = {persona: clients[persona].get(url).status_code for persona in PERSONAS}
    assert answers == EXPECTED[name], url


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in_and_back(clients):
    response = clients["anonymous"].get("/accounts/")
    assert response["Location"] == "/login/?next=/accounts/"


@pytest.mark.django_db
def test_only_admins_open_every_admin_page(clients):
    for model in admin.site._registry:
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert clients["admin"].get(url).status_code == 200, url
        assert clients["marketer"].get(url).status_code == 302, url


@pytest.mark.django_db
def test_an_api_token_authenticates_as_its_user(objects):
    key = api_token(UserFactory(username="token-viewer", role=VIEWER))
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/accounts/").status_code == 200
    assert (
        Client(HTTP_AUTHORIZATION="Token not-a-real-key").get("/api/v1/accounts/").status_code
        == 401
    )
