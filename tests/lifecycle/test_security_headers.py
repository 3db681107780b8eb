"""The Content-Security-Policy, Permissions-Policy and Django's own security headers on every
page (docs/security.md, "Headers and API tokens"); what the browser makes of them is
tests/browser/test_csp.py."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from campaigns.models import Campaign, CampaignContent
from lifecycle.outbox.models import OutboxEmail
from tests.factories import UserFactory
from tests.lifecycle import test_access
from tests.lifecycle.test_settings import setting_values

# The walk of every URL name, with the same objects and signed-in clients (fixtures).
objects = test_access.objects
clients = test_access.clients

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
PREVIEW_POLICY = {
    **POLICY,
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "https:"],
}
PREVIEW_PAGES = {"outbox:detail"}
INLINE_STYLE = re.compile(r"""\sstyle\s*=\s*["']""", re.I)
# A <script> with neither src= nor a JSON type (json_script's data blocks are not run).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)


def directives(header: str) -> dict[str, list[str]]:
    """The policy as {directive: sources}: django-csp writes the directives in any order."""
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


def permissions(header: str) -> dict[str, str]:
    return dict(item.strip().split("=", 1) for item in header.split(","))


def url_of(name: str, objects: dict) -> str:
    return reverse(name, kwargs=test_access.kwargs_for(name, objects)) + test_access.QUERIES.get(
        name, ""
    )


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["admin", "anonymous"])
def test_every_page_staff_and_public_sends_the_policy_and_no_inline_style_or_script(
    persona, clients, objects
):
    # As an Admin every staff page opens; anonymous, the public pages do (the others redirect).
    for name in sorted(test_access.EXPECTED):
        response = clients[persona].get(url_of(name, objects))

        expected = PREVIEW_POLICY if persona == "admin" and name in PREVIEW_PAGES else POLICY
        assert directives(response["Content-Security-Policy"]) == expected, name
        assert "Permissions-Policy" in response, name
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            page = response.content.decode()
            assert not INLINE_STYLE.search(page), name
            assert not INLINE_SCRIPT.search(page), name


@pytest.mark.django_db
def test_the_not_found_page_has_the_policy_and_a_static_file_the_permissions_too(client):
    not_found = client.get("/no-such-page/")
    # WhiteNoise answers before django-csp; a policy means nothing on a style sheet anyway.
    static = client.get("/static/css/app.css")

    assert not_found.status_code == 404 and static.status_code == 200
    assert directives(not_found["Content-Security-Policy"]) == POLICY
    for response in (not_found, static):
        assert permissions(response["Permissions-Policy"])["camera"] == "()"


def test_the_api_docs_run_their_start_up_script_from_a_file(viewer_client):
    page = viewer_client.get("/api/docs/")

    html = page.content.decode()
    assert page.status_code == 200 and not INLINE_SCRIPT.search(html)
    assert not re.search(r"<style", html)
    assert '<script src="/api/docs/?script="></script>' in html
    script = viewer_client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


@pytest.mark.django_db
def test_the_outbox_preview_allows_the_emails_inline_styles_and_the_list_does_not(
    admin_client_,
):
    email = OutboxEmail.objects.create(
        from_email="a@example.com",
        to="b@example.com",
        subject="Hello",
        raw="",
        body_html='<p style="color:#1f2933">Hi</p>',
    )

    detail = admin_client_.get(reverse("outbox:detail", args=[email.pk]))
    listing = admin_client_.get(reverse("outbox:list"))

    assert directives(detail["Content-Security-Policy"]) == PREVIEW_POLICY
    assert "style=&quot;color:#1f2933&quot;" in detail.content.decode()  # inside srcdoc
    assert directives(listing["Content-Security-Policy"]) == POLICY


@pytest.mark.django_db
def test_the_campaign_preview_in_admin_allows_the_emails_inline_styles(admin_client_):
    campaign = Campaign.objects.create(
        slug="news", name="News", category="marketing", trigger="once"
    )
    CampaignContent.objects.create(
        campaign=campaign, language="en", subject="News", text_body="Hi", html_body="<p>Hi</p>"
    )

    preview = admin_client_.get(f"/admin/campaigns/campaign/{campaign.pk}/preview/")
    change = admin_client_.get(f"/admin/campaigns/campaign/{campaign.pk}/change/")

    assert preview.status_code == 200
    assert directives(preview["Content-Security-Policy"]) == PREVIEW_POLICY
    assert directives(change["Content-Security-Policy"]) == POLICY


@pytest.mark.django_db
def test_every_response_refuses_the_browser_features_the_product_never_uses(client):
    response = client.get(reverse("login"))

    denied = permissions(response["Permissions-Policy"])
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort"):
        assert denied[feature] == "()", feature


@pytest.mark.django_db
def test_djangos_own_headers_keep_referrers_mime_types_and_frames_in(client):
    UserFactory(username="headers")

    response = client.get(reverse("login"))

    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_the_company_logos_origin_may_serve_images():
    env = {"COMPANY_LOGO_URL": "https://cdn.example.com/brand/logo.png"}

    [img_src] = setting_values(env, 'CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]')

    assert img_src == "[\"'self'\", 'data:', 'https://cdn.example.com']"
