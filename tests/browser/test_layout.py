"""Every staff page fits a phone (390 px) and a desktop (1400 px) window: the page is never
wider than the window, no table is cut off by its container, and on a phone the navigation
folds behind a menu button. Screenshots of each page go to tests/artifacts/layout/."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.models import Lead
from campaigns.models import MessageStatus, Referral
from lifecycle.lib.dates import add_months
from lifecycle.ops.demo import generate_demo
from lifecycle.outbox.models import OutboxEmail
from lifecycle.staff.roles import ADMIN
from surveys.follow_ups import add_comment
from surveys.models import ResponseRevision
from surveys.services import open_follow_up
from tests.factories import (
    AccountFactory,
    ContactFactory,
    MessageFactory,
    ResponseFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "layout"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}
PASSWORD = "correct horse battery staple"

# Long values that once pushed columns out of sight: a German company name, a comment with a
# URL that cannot wrap, an address longer than a phone is wide.
LONG_NAME = (
    "Rheinisch-Westfälische Industrieversicherungsgesellschaft für Maschinenbau und "
    "Anlagentechnik GmbH & Co. KG"
)
LONG_EMAIL = "maximilian.oberhauser-wittgenstein@rheinisch-westfaelische-industrie.example"
LONG_URL = "https://support.example.com/tickets/4815162342?utm_source=nps&utm_campaign=quarterly"
LONG_COMMENT = (
    "We have used the product for two years and the reporting is still too slow for our "
    "quarterly reviews: every export of the pipeline takes minutes, the dashboards time out "
    "on Mondays and support answered our ticket after a week (see " + LONG_URL + "). "
    "We like the survey emails, but we will not renew unless this changes."
)

# Tables wide by nature: they may scroll sideways at 1400 px too, behind the scroll cue.
MAY_SCROLL_ON_DESKTOP = ".cohort-table"
# The column each list is read for, in sight at 1400 px without scrolling.
KEY_COLUMNS = {"accounts": "Contacts", "responses": "Comment"}

# For each table of the page: does it fit its container, scroll inside one, or stick out?
TABLES_JS = """(maySideways) => {
  const found = [];
  for (const table of document.querySelectorAll("main table")) {
    if (!table.getClientRects().length) continue;  // in a closed <details>: not shown
    const label = (table.closest("section")?.querySelector("h2, h3")?.textContent
      || table.querySelector("th")?.textContent || "table").trim().slice(0, 40);
    let box = table.parentElement;
    while (box !== document.body && getComputedStyle(box).overflowX === "visible") {
      box = box.parentElement;
    }
    const overflowX = getComputedStyle(box).overflowX;
    const row = {label, wide: table.matches(maySideways), kind: "fits"};
    if (box === document.body) {
      const parent = table.parentElement.getBoundingClientRect();
      if (table.getBoundingClientRect().right > parent.right + 1) row.kind = "sticks out";
    } else if (box.scrollWidth > box.clientWidth + 1) {
      row.kind = ["auto", "scroll"].includes(overflowX) ? "scrolls" : "clipped";
      row.cue = box.classList.contains("table-wrap");
      row.focusable = box.tabIndex === 0;
      row.named = Boolean(box.getAttribute("aria-label") || box.getAttribute("aria-labelledby"));
    }
    found.push(row);
  }
  return found;
}"""

# The right edge of a column header, and of what shows it (its scroll container, or the page).
COLUMN_JS = """(name) => {
  const text = (cell) => {  // what a screen reader says: a sort arrow is aria-hidden
    const copy = cell.cloneNode(true);
    copy.querySelectorAll("[aria-hidden=true]").forEach((hidden) => hidden.remove());
    return copy.textContent.trim().toLowerCase();
  };
  const th = [...document.querySelectorAll("main th")].find(
    (cell) => text(cell) === name.toLowerCase());
  if (!th) return null;
  const box = th.closest(".table-wrap") || document.documentElement;
  return {column: th.getBoundingClientRect().right, visible: box.getBoundingClientRect().right};
}"""

OPEN_DETAILS_JS = "() => document.querySelectorAll('main details').forEach((d) => (d.open = true))"


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def ada(db):
    """An Admin whose login is long enough to crowd a phone's top bar."""
    return UserFactory(username="alexandra.papadopoulou", role=ADMIN)


def seed() -> dict[str, object]:
    """The demo data of `seed_demo --accounts 60`, plus one account with every long value."""
    today = timezone.localdate()
    generate_demo(accounts=60, seed=7, today=today)
    account = AccountFactory(name=LONG_NAME, industry="Industrial machinery", country="DE")
    subscription = SubscriptionFactory(
        account=account,
        plan="Enterprise (annual, invoiced quarterly)",
        mrr=Decimal("128450.00"),
        started_on=add_months(today, -20),
    )
    contact = ContactFactory(
        account=account,
        first_name="Maximilian",
        last_name="Oberhauser-Wittgenstein",
        email=LONG_EMAIL,
        timezone="America/Argentina/ComodRivadavia",
    )
    response = ResponseFactory(
        invitation__contact=contact, score=3, comment=LONG_COMMENT, language="de"
    )
    ResponseRevision.objects.create(
        response=response, score=6, comment=LONG_COMMENT[:180], recorded_at=timezone.now()
    )
    follow_up = open_follow_up(response, "detractor")
    add_comment(follow_up, author=None, body=f"Called them about {LONG_URL}")
    for status, error in [
        (MessageStatus.SENT, ""),
        (MessageStatus.FAILED, "550 5.1.1 <" + LONG_EMAIL + ">: Recipient address rejected"),
    ]:
        MessageFactory(
            contact=contact,
            status=status,
            error=error,
            reason="Quarterly NPS: a customer for 20 months, last surveyed 95 days ago",
        )
    lead = Lead.objects.create(
        email="j.van.der.berg@nederlandse-logistiek-partners.example",
        first_name="Johanna",
        last_name="van der Berg",
        company="Nederlandse Logistiek Partners Holding B.V.",
        source="referral",
    )
    referral = Referral.objects.create(
        referrer=contact, lead=lead, flags="same_company,duplicate", needs_review=True
    )
    return {
        "account": account,
        "subscription": subscription,
        "contact": contact,
        "response": response,
        "follow_up": follow_up,
        "referral": referral,
        "email": outbox_email(),
    }


def outbox_email() -> OutboxEmail:
    message = EmailMultiAlternatives(
        subject="How likely are you to recommend Lifecycle to a colleague? Two minutes, "
        "one question, and your answer goes straight to your account manager",
        body=f"Hello Maximilian,\n\nAnswer here: {LONG_URL}&token={'x' * 120}\n",
        from_email="Lifecycle CRM <surveys@lifecycle.example>",
        to=[LONG_EMAIL],
        headers={"List-Unsubscribe": f"<{LONG_URL}&unsubscribe={'y' * 120}>"},
    )
    message.attach_alternative(
        f'<table width="600"><tr><td><a href="{LONG_URL}">Answer</a></td></tr></table>',
        "text/html",
    )
    get_connection("lifecycle.outbox.backends.OutboxBackend").send_messages([message])
    return OutboxEmail.objects.get()


def staff_pages(objects: dict) -> list[tuple[str, str]]:
    """Every staff page (Django admin aside), as (screenshot name, path)."""
    today = timezone.localdate()
    months = f"start={add_months(today, -23):%Y-%m}&end={today:%Y-%m}"
    account = objects["account"]
    return [
        ("overview", "/"),
        ("churn", "/dashboard/churn/"),
        ("cohorts", "/dashboard/cohorts/"),
        ("cohorts-24-months", f"/dashboard/cohorts/?{months}"),
        ("cohorts-revenue-24-months", f"/dashboard/cohorts/?{months}&view=revenue"),
        ("accounts", "/accounts/"),
        ("account", account.get_absolute_url()),
        ("account-new", "/accounts/new/"),
        ("account-edit", f"/accounts/{account.pk}/edit/"),
        ("contact-new", f"/accounts/{account.pk}/contacts/new/"),
        ("contact-edit", f"/accounts/{account.pk}/contacts/{objects['contact'].pk}/"),
        ("subscription-new", f"/accounts/{account.pk}/subscriptions/new/"),
        (
            "subscription-edit",
            f"/accounts/{account.pk}/subscriptions/{objects['subscription'].pk}/",
        ),
        ("import", "/accounts/import/"),
        ("responses", "/surveys/responses/"),
        ("response", objects["response"].get_absolute_url()),
        ("follow-ups", "/surveys/follow-ups/"),
        ("follow-up", objects["follow_up"].get_absolute_url()),
        ("referrals", "/referrals/"),
        ("outbox", "/outbox/"),
        ("outbox-email", objects["email"].get_absolute_url()),
    ]


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}/")


def layout_problems(page: Page, *, desktop: bool) -> list[str]:
    problems = []
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > page.viewport_size["width"]:
        problems.append(f"the page is {width} px wide")
    for table in page.evaluate(TABLES_JS, MAY_SCROLL_ON_DESKTOP):
        where = f"table “{table['label']}”"
        if table["kind"] in ("sticks out", "clipped"):
            problems.append(f"{where} {table['kind']}")
        elif table["kind"] == "scrolls":
            if desktop and not table["wide"]:
                problems.append(f"{where} needs sideways scrolling")
            if not (table["cue"] and table["focusable"] and table["named"]):
                problems.append(f"{where} scrolls without a cue, a tab stop and a name")
    return problems


def test_every_staff_page_fits_a_phone_and_a_desktop(page: Page, live_server, ada, artifacts):
    objects = seed()
    pages = staff_pages(objects)
    sign_in(page, live_server.url, ada.username)

    problems = []
    for label, viewport in [("390", PHONE), ("1400", DESKTOP)]:
        page.set_viewport_size(viewport)
        for name, path in pages:
            response = page.goto(f"{live_server.url}{path}")
            assert response.ok, f"{path}: {response.status}"
            page.evaluate(OPEN_DETAILS_JS)
            page.screenshot(path=artifacts / f"{name}-{label}.png", full_page=True)
            problems += [
                f"{name} at {label} px: {problem}"
                for problem in layout_problems(page, desktop=viewport is DESKTOP)
            ]
            if viewport is DESKTOP and name in KEY_COLUMNS:
                edges = page.evaluate(COLUMN_JS, KEY_COLUMNS[name])
                assert edges, f"{name} has no column “{KEY_COLUMNS[name]}”"
                if edges["column"] > edges["visible"] + 1:
                    problems.append(f"{name} at {label} px: “{KEY_COLUMNS[name]}” is out of sight")

    assert not problems, "\n".join(problems)


def nav_links(page: Page):
    return page.get_by_role("navigation", name="Main", include_hidden=True).locator("a")


def test_on_a_phone_the_menu_button_shows_and_hides_the_navigation(
    page: Page, live_server, ada, artifacts
):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, ada.username)
    menu = page.get_by_role("button", name="Menu")
    links = nav_links(page)
    assert links.count() == 6  # five sections and Django admin

    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(links.first).to_be_hidden()
    menu.click()

    expect(menu).to_have_attribute("aria-expanded", "true")
    language = page.get_by_label("Language")
    sign_out = page.get_by_role("button", name="Sign out")
    for control in [*links.all(), page.get_by_text(ada.username), language, sign_out]:
        expect(control).to_be_visible()
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], control
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=artifacts / "menu-open-390.png")

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(links.first).to_be_hidden()


def test_the_menu_button_works_from_the_keyboard(page: Page, live_server, ada):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, ada.username)
    menu = page.get_by_role("button", name="Menu")
    controlled = page.locator(f"#{menu.get_attribute('aria-controls')}")

    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(controlled).to_be_visible()
    page.keyboard.press("Tab")
    expect(nav_links(page).first).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(controlled).to_be_hidden()
    page.keyboard.press("Space")
    expect(menu).to_have_attribute("aria-expanded", "true")


def test_on_a_desktop_the_navigation_shows_without_a_menu_button(page: Page, live_server, ada):
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, ada.username)

    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    for link in nav_links(page).all():
        expect(link).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_without_javascript_a_phone_shows_the_whole_navigation(
    browser: Browser, live_server, ada, artifacts
):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, ada.username)

        expect(page.get_by_role("button", name="Menu")).to_be_hidden()
        for link in nav_links(page).all():
            expect(link).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=artifacts / "menu-without-javascript-390.png")
    finally:
        context.close()
