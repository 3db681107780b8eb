"""Every page under the Content-Security-Policy in a real browser: Chromium refuses nothing,
the charts still draw, the bars and cohort shades still show, Swagger UI and Django admin
still run, and an email preview keeps its inline styles (docs/security.md, "Headers and
API tokens")."""

from __future__ import annotations

import pytest
from django.core.mail import EmailMultiAlternatives, get_connection
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import CancelType
from campaigns.models import Campaign, CampaignContent
from campaigns.referrals import code_for
from lifecycle.lib import links
from lifecycle.lib.dates import add_months
from lifecycle.outbox.models import OutboxEmail
from lifecycle.staff.roles import ADMIN
from surveys.models import Survey
from tests.browser.test_dashboard import DRAWN_JS
from tests.browser.test_layout import PASSWORD, seed, sign_in, staff_pages
from tests.factories import (
    InvitationFactory,
    MessageFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the browser says when a policy refuses something, in any frame, or when it cannot
# read the Permissions-Policy header.
REFUSALS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy")
# The main frame's securitypolicyviolation events, kept for the test to read.
LISTEN_JS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} refused ${event.blockedURI || "inline"}`);
});
"""
# Canvases on the page that Chart.js has not painted.
BLANK_CANVASES_JS = f"""() => [...document.querySelectorAll("canvas[id]")]
  .map((canvas) => canvas.id).filter((id) => !({DRAWN_JS})(id))"""
# Bars and cohort cells whose data attribute did not become a style (static/js/data-styles.js).
UNSTYLED_JS = """() => [
  ...[...document.querySelectorAll("[data-bar-width]")]
    .filter((el) => el.style.width !== `${parseFloat(el.dataset.barWidth)}%`)
    .map((el) => `bar ${el.dataset.barWidth}`),
  ...[...document.querySelectorAll("[data-rate]")]
    .filter((el) => getComputedStyle(el).getPropertyValue("--rate") === "")
    .map((el) => `cell ${el.dataset.rate}`),
]"""
STYLED_BY_SCRIPT = {
    "overview": "[data-bar-width]",
    "churn": "[data-bar-width]",
    "cohorts": "[data-rate]",
}
STYLED_COLOR = "rgb(12, 34, 56)"
STYLED_HTML = f'<p id="styled" style="color: {STYLED_COLOR}">Styled like an email</p>'


@pytest.fixture
def ada(db):
    return UserFactory(username="ada", role=ADMIN)


def watch(page: Page) -> list[str]:
    """Every refusal the browser reports on `page` from now on."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if any(word in message.text for word in REFUSALS) else None
        ),
    )
    page.add_init_script(LISTEN_JS)
    return refused


def visit(page: Page, url: str, refused: list[str]) -> list[str]:
    """Open `url`, let its scripts run, and return what the policy refused there."""
    response = page.goto(url)
    assert response.ok, f"{url}: {response.status}"
    page.wait_for_load_state("networkidle")
    found = [*refused, *page.evaluate("() => window.__violations")]
    refused.clear()
    return [f"{url}: {text}" for text in found]


def styled_outbox_email() -> OutboxEmail:
    message = EmailMultiAlternatives(
        subject="Styled", body="Styled", from_email="a@example.com", to=["b@example.com"]
    )
    message.attach_alternative(STYLED_HTML, "text/html")
    get_connection("lifecycle.outbox.backends.OutboxBackend").send_messages([message])
    return OutboxEmail.objects.get(subject="Styled")


def preview_color(page: Page, frame_selector: str) -> str:
    paragraph = page.frame_locator(frame_selector).locator("#styled")
    expect(paragraph).to_be_visible()
    return paragraph.evaluate("(el) => getComputedStyle(el).color")


def test_every_staff_page_admin_and_the_api_docs_run_with_nothing_refused(
    page: Page, live_server, ada
):
    objects = seed()
    outbox_email = styled_outbox_email()
    campaign = Campaign.objects.create(
        slug="styled", name="Styled", category="marketing", trigger="once"
    )
    CampaignContent.objects.create(
        campaign=campaign, language="en", subject="Hi", text_body="Hi", html_body=STYLED_HTML
    )
    refused = watch(page)
    sign_in(page, live_server.url, ada.username)

    problems: list[str] = []
    for name, path in staff_pages(objects):
        problems += visit(page, live_server.url + path, refused)
        problems += [f"{name}: #{id} is blank" for id in page.evaluate(BLANK_CANVASES_JS)]
        problems += [f"{name}: {item} unstyled" for item in page.evaluate(UNSTYLED_JS)]
        if name in ("overview", "churn", "cohorts", "account"):
            assert page.locator("canvas").count(), f"{name} has no chart"
        if name in STYLED_BY_SCRIPT:
            assert page.locator(STYLED_BY_SCRIPT[name]).count(), f"{name} has no bar or shade"
    for path in (
        "/admin/",
        "/admin/staff/apitoken/add/",
        "/admin/accounts/account/",
        f"/admin/accounts/account/{objects['account'].pk}/change/",
        f"/admin/campaigns/campaign/{campaign.pk}/change/",
    ):
        problems += visit(page, live_server.url + path, refused)
    problems += visit(page, f"{live_server.url}/api/docs/", refused)
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Lifecycle CRM API")
    expect(page.locator(".opblock").first).to_be_visible()
    problems += visit(page, live_server.url + outbox_email.get_absolute_url(), refused)
    outbox_color = preview_color(page, "iframe.email-preview")
    problems += visit(
        page, f"{live_server.url}/admin/campaigns/campaign/{campaign.pk}/preview/", refused
    )
    admin_color = preview_color(page, "iframe[srcdoc]")

    assert not problems, "\n".join(problems)
    assert (outbox_color, admin_color) == (STYLED_COLOR, STYLED_COLOR)


def test_the_cohort_shades_match_their_retention(page: Page, live_server, ada):
    # One cohort of two accounts, one of which churned last month: 100 percent, then 50.
    today = timezone.localdate()
    SubscriptionFactory(started_on=add_months(today, -3).replace(day=1))
    SubscriptionFactory(
        started_on=add_months(today, -3).replace(day=1),
        ended_on=add_months(today, -1).replace(day=1),
        cancel_type=CancelType.VOLUNTARY,
    )
    sign_in(page, live_server.url, ada.username)

    page.goto(f"{live_server.url}/dashboard/cohorts/")

    shades = page.evaluate(
        """() => [...document.querySelectorAll("[data-rate]")].map((cell) =>
             [cell.dataset.rate, getComputedStyle(cell).getPropertyValue("--rate").trim(),
              getComputedStyle(cell).backgroundColor])"""
    )
    assert shades, "no cohort cell has a rate"
    assert all(float(rate) == float(shade) for rate, shade, _color in shades)
    # The lowest retention and the highest are shaded apart, as --rate makes them.
    by_rate = {float(rate): color for rate, _shade, color in shades}
    assert len(by_rate) > 1
    assert by_rate[min(by_rate)] != by_rate[max(by_rate)]


def test_the_public_pages_run_with_nothing_refused(page: Page, live_server):
    invitation = InvitationFactory(survey=Survey.objects.get(slug="nps"))
    message = MessageFactory()
    answer = links.sign(links.SURVEY_ANSWER, invitation.public_id)
    refused = watch(page)

    problems = visit(page, live_server.url + reverse("surveys:answer", args=[answer, 9]), refused)
    # Its script posted the score at once: the page's own script ran.
    expect(page.get_by_text("Your score is saved — tell us more")).to_be_visible()
    for url in (
        reverse("campaigns:unsubscribe", args=[links.sign(links.UNSUBSCRIBE, message.public_id)]),
        reverse("campaigns:preferences", args=[links.sign(links.PREFERENCES, message.public_id)]),
        reverse("campaigns:referral", args=[code_for(message.contact).code]),
        reverse("login"),
    ):
        problems += visit(page, live_server.url + url, refused)

    assert not problems, "\n".join(problems)


def test_the_two_factor_qr_code_shows_under_the_policy(page: Page, live_server, ada, settings):
    settings.ADMIN_TWO_FACTOR = True
    refused = watch(page)

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(ada.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    qr = page.get_by_role("img", name="QR code for the authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("(img) => img.complete && img.naturalWidth > 0")
    assert not [*refused, *page.evaluate("() => window.__violations")]
