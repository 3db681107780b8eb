"""The whole journey in a real browser, with a real SMTP server receiving every email.

An Admin signs in, imports the CRM from CSV files, sees the dashboard draw, creates and
activates an NPS campaign in Django admin and sends it; the customer opens the email, answers
with one click and adds a comment; staff see the NPS, the verbatim and the owner's alert;
the customer unsubscribes from the email's link, and from then on no survey email reaches
that address: not from another campaign, not after a re-import of the same row, not as a new
contact of another account; and once the admin erases the person, not even a re-import
brings a single email back. A screenshot of each step goes to tests/artifacts/journey/.
"""

from __future__ import annotations

import re
from collections import Counter
from email.message import EmailMessage
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Contact
from campaigns.models import Campaign, CampaignContent, Category
from lifecycle.celery import app as celery_app
from lifecycle.lib.dates import add_months
from lifecycle.staff.roles import ADMIN
from surveys.models import FollowUp, Response
from tests.factories import UserFactory
from tests.smtp import SMTPServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "journey"
PASSWORD = "correct horse battery staple"  # UserFactory's
CUSTOMER = "ana@northwind.example"  # answers, comments, then unsubscribes
# Never unsubscribe: each later campaign reaches them, so an email it does not send to the
# customer is the unsubscribe's doing.
COLLEAGUE = "ben@northwind.example"
OTHER_CUSTOMER = "dee@fabrikam.example"
COMMENT = "Setting up the exports took a whole week."
REVENUE_CHARTS = ["movements-chart", "customers-chart", "retention-chart"]
# True once Chart.js owns the canvas and has painted at least one non-transparent pixel.
DRAWN_JS = """(id) => {
  const canvas = document.getElementById(id);
  if (!canvas || !Chart.getChart(canvas) || !canvas.width || !canvas.height) return false;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let alpha = 3; alpha < pixels.length; alpha += 4) if (pixels[alpha] > 0) return true;
  return false;
}"""
PLOTTED_JS = """(id) => Chart.getChart(document.getElementById(id)).data.datasets
  .some((d) => d.data.some((v) => v !== null && v !== 0))"""
# The last point of each dataset of a chart, by its label.
LAST_POINTS_JS = """(id) => Object.fromEntries(Chart.getChart(document.getElementById(id)).data
  .datasets.map((d) => [d.label, d.data[d.data.length - 1]]))"""


@pytest.fixture
def eager_celery():
    """The live server's requests and this test's commands run the send tasks in-process
    (the path of the other browser tests), each email through the real SMTP server."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def journey(live_server, settings, smtp: SMTPServer, eager_celery):
    settings.SITE_URL = live_server.url
    # The journey sends more emails in a minute than the frequency cap allows in a week;
    # the cap has its own tests.
    settings.FREQUENCY_CAP_EMAILS = 100
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    return Journey(live_server.url, smtp)


class Journey:
    def __init__(self, base_url: str, smtp: SMTPServer) -> None:
        self.base_url = base_url
        self.smtp = smtp
        self.step = 0

    def screenshot(self, page: Page, name: str) -> None:
        self.step += 1
        page.screenshot(path=ARTIFACTS / f"{self.step:02d}-{name}.png", full_page=True)

    def emails_to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.smtp.messages if str(m["To"]).lower() == address]

    def received(self) -> Counter[str]:
        return self.smtp.received_by()

    def received_from(self, *slugs: str) -> Counter[str]:
        """Who the SMTP server got an email from, for each broadcast run now (send_campaign)."""
        before = self.smtp.count
        for slug in slugs:
            call_command("send_campaign", slug, stdout=StringIO())
        return Counter(str(m["To"]).lower() for m in self.smtp.messages[before:])


class Links(HTMLParser):
    """Every link of an HTML email, as (text, href)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.found.append(("".join(self._text).strip(), self._href))
            self._href = None


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def link(message: EmailMessage, text: str) -> str:
    parser = Links()
    parser.feed(html_of(message))
    (href,) = [href for label, href in parser.found if label == text]
    return href


def csv(*rows: str) -> dict:
    return {"mimeType": "text/csv", "buffer": ("\n".join(rows) + "\n").encode()}


def crm_files(owner_email: str) -> dict[str, dict]:
    """Northwind a customer for 14 months with an add-on, Fabrikam for 8, Contoso churned."""
    today = timezone.localdate()
    started, churned = add_months(today, -14), add_months(today, -3)
    return {
        "Accounts CSV": csv(
            "external_id,name,industry,employees,country,owner_email,referenceable",
            f"acc-nw,Northwind Traders,Software,120,US,{owner_email},true",
            "acc-fa,Fabrikam,Manufacturing,800,DE,,false",
            "acc-co,Contoso,Retail,30,GB,,false",
        ),
        "Contacts CSV": contacts_csv(),
        "Subscriptions CSV": csv(
            "external_id,account_external_id,plan,mrr,quantity,started_on,ended_on,"
            "cancel_type,cancel_reason",
            f"sub-nw,acc-nw,Pro,1250.00,1,{started},,,",
            f"sub-nw-addon,acc-nw,Exports add-on,150.00,1,{add_months(today, -5)},,,",
            f"sub-fa,acc-fa,Enterprise,2400.00,1,{add_months(today, -8)},,,",
            f"sub-co,acc-co,Starter,300.00,1,{started},{churned},voluntary,Too expensive",
        ),
    }


CONTACT_ROWS = [
    f"con-ana,acc-nw,Ana,Lopez,{CUSTOMER},,en,Europe/London,true",
    f"con-ben,acc-nw,Ben,Okafor,{COLLEAGUE},,en,America/New_York,false",
    f"con-dee,acc-fa,Dee,Schmidt,{OTHER_CUSTOMER},,en,Europe/Berlin,true",
    "con-cy,acc-co,Cy,Moreau,cy@contoso.example,,en,Europe/Paris,true",
]


def contacts_csv(*extra_rows: str) -> dict:
    header = "external_id,account_external_id,first_name,last_name,email,birthday,language,"
    return csv(f"{header}timezone,is_primary", *CONTACT_ROWS, *extra_rows)


def import_csvs(page: Page, base_url: str, files: dict[str, dict]) -> None:
    page.goto(f"{base_url}/accounts/import/")
    for label, file in files.items():
        page.get_by_label(label).set_input_files({"name": f"{label.split()[0]}.csv", **file})
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Import finished.")).to_be_visible()


def broadcast(slug: str, category: str) -> Campaign:
    """A one-off email written in admin, of `category`."""
    campaign = Campaign.objects.create(slug=slug, name=slug, category=category, trigger="once")
    CampaignContent.objects.create(
        campaign=campaign,
        language="en",
        subject=f"News: {slug}",
        text_body="Hello {{ first_name }}, here is our news.",
        html_body="<p>Hello {{ first_name }}, here is our news.</p>",
    )
    return campaign


def test_the_whole_journey_from_import_to_unsubscribe(page: Page, journey: Journey):
    base = journey.base_url
    admin = UserFactory(username="alex", email="alex@lifecycle.example", role=ADMIN)

    # Sign in as an Admin through /login/, first time.
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/")
    journey.screenshot(page, "signed-in")

    # Import accounts, contacts and subscriptions through the import page.
    import_csvs(page, base, crm_files(admin.email))
    expect(page.get_by_role("status")).to_contain_text("Contacts: 4 new")
    journey.screenshot(page, "imported")
    assert Contact.objects.count() == 4

    # The overview's charts draw.
    page.goto(f"{base}/")
    page.wait_for_function(
        "(ids) => typeof Chart !== 'undefined' && ids.every((id) => Chart.getChart(id))",
        arg=REVENUE_CHARTS,
    )
    for canvas in REVENUE_CHARTS:
        assert page.evaluate(DRAWN_JS, canvas), f"#{canvas} is blank"
        assert page.evaluate(PLOTTED_JS, canvas), f"#{canvas} plots no value"
    journey.screenshot(page, "dashboard")

    # An NPS survey campaign, created paused in Django admin, then activated.
    page.goto(f"{base}/admin/campaigns/campaign/add/")
    page.locator("#id_name").press_sequentially("Journey NPS")
    expect(page.locator("#id_slug")).to_have_value("journey-nps")  # admin's prepopulated slug
    page.select_option("#id_category", "surveys")
    page.uncheck("#id_enabled")
    page.select_option("#id_survey", label="Net Promoter Score")
    page.select_option("#id_trigger", "once")
    journey.screenshot(page, "campaign-form")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("Journey NPS")
    nps = Campaign.objects.get(slug="journey-nps")
    assert not nps.enabled

    def run_action(action: str) -> None:
        page.goto(f"{base}/admin/campaigns/campaign/")
        page.check(f"input[name=_selected_action][value='{nps.pk}']")
        page.select_option("select[name=action]", action)
        page.click("button[name=index]")

    run_action("activate")
    expect(page.locator(".messagelist")).to_contain_text("1 campaign activated.")
    nps.refresh_from_db()
    assert nps.enabled

    # Run it with the admin's own "Send now", after its confirmation page.
    run_action("send_now")
    # The customers' contacts: Northwind's two and Fabrikam's one (Contoso has churned).
    expect(page.get_by_text("3 contacts in its audience today")).to_be_visible()
    journey.screenshot(page, "send-now")
    page.get_by_role("button", name="Yes, send now").click()
    expect(page.locator(".messagelist")).to_contain_text("3 new messages queued.")
    assert journey.received() == {CUSTOMER: 1, COLLEAGUE: 1, OTHER_CUSTOMER: 1}

    # The customer opens the email the SMTP server received and answers with one click.
    (invitation,) = journey.emails_to(CUSTOMER)
    score_3 = link(invitation, "3")
    assert score_3.startswith(f"{base}/s/") and score_3.endswith("/3/")
    page.set_content(html_of(invitation))  # the email as a mail client shows it
    journey.screenshot(page, "email")
    page.get_by_role("link", name="3", exact=True).click()
    expect(page).to_have_url(score_3)
    expect(page.get_by_text("Your score is saved — tell us more")).to_be_visible()
    assert Response.objects.get(contact__email=CUSTOMER).score == 3
    journey.screenshot(page, "answered")

    # ... and adds a comment.
    page.locator("textarea").fill(COMMENT)
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Thank you for your answer!")).to_be_visible()
    journey.screenshot(page, "commented")
    assert Response.objects.get(contact__email=CUSTOMER).comment == COMMENT

    # Staff see the NPS on the dashboard (one detractor: -100) and the verbatim.
    page.goto(f"{base}/")
    nps_card = page.locator("[data-metric=nps] .stat-value")
    expect(nps_card).to_have_text(re.compile(r"^[-−]100(\.0)?$"))
    expect(page.locator(".verbatim").filter(has_text=COMMENT)).to_have_count(1)
    page.wait_for_function("() => typeof Chart !== 'undefined' && Chart.getChart('nps-chart')")
    assert page.evaluate(DRAWN_JS, "nps-chart"), "#nps-chart is blank"
    assert page.evaluate(LAST_POINTS_JS, "nps-chart") == {"NPS (survey)": -100}
    assert page.evaluate(LAST_POINTS_JS, "nps-mix-chart")["Detractors"] == 1
    journey.screenshot(page, "dashboard-nps")
    page.goto(f"{base}/surveys/responses/")
    expect(page.get_by_text(COMMENT)).to_be_visible()
    journey.screenshot(page, "responses")

    # The owner's alert reached the SMTP server, with the comment.
    (alert,) = journey.emails_to(admin.email)
    assert COMMENT in alert.get_body(preferencelist=("plain",)).get_content()
    assert FollowUp.objects.filter(account__name="Northwind Traders").count() == 1
    page.set_content(html_of(alert))
    journey.screenshot(page, "owner-alert")

    # The customer unsubscribes with the email's link (the List-Unsubscribe header's too)
    # and one click on its page.
    unsubscribe = link(invitation, "Unsubscribe from surveys")
    assert f"<{unsubscribe}>" in " ".join(str(invitation["List-Unsubscribe"]).split())
    page.set_content(html_of(invitation))
    page.get_by_role("link", name="Unsubscribe from surveys").click()
    expect(page).to_have_url(unsubscribe)
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    journey.screenshot(page, "unsubscribed")

    # Unsubscribes are per category (docs/campaigns.md; the page says "these emails:
    # Surveys"): another survey-category email does not reach the address, while a marketing
    # one still does, which shows the address itself is reachable.
    broadcast("survey-news", Category.SURVEYS)
    broadcast("spring-offer", Category.MARKETING)
    assert journey.received_from("survey-news") == {COLLEAGUE: 1, OTHER_CUSTOMER: 1}
    assert journey.received_from("spring-offer") == {CUSTOMER: 1, COLLEAGUE: 1, OTHER_CUSTOMER: 1}

    # Re-importing the same contacts row changes nothing of that.
    import_csvs(page, base, {"Contacts CSV": contacts_csv()})
    expect(page.get_by_role("status")).to_contain_text("Contacts: 0 new, 4 updated")
    journey.screenshot(page, "reimported")
    broadcast("survey-news-2", Category.SURVEYS)
    assert journey.received_from("survey-news-2") == {COLLEAGUE: 1, OTHER_CUSTOMER: 1}

    # The unsubscribe belongs to the address: the same person imported as a new contact of
    # another customer account gets no survey email either.
    moved = f"con-ana-fa,acc-fa,Ana,Lopez,{CUSTOMER},,en,Europe/London,false"
    import_csvs(page, base, {"Contacts CSV": contacts_csv(moved)})
    expect(page.get_by_role("status")).to_contain_text("Contacts: 1 new, 4 updated")
    assert Contact.objects.filter(email=CUSTOMER).count() == 2
    broadcast("survey-news-3", Category.SURVEYS)
    assert journey.received_from("survey-news-3") == {COLLEAGUE: 1, OTHER_CUSTOMER: 1}

    # Deleted in admin and imported again: no email of any kind reaches the address. Admin
    # keeps the records of what was sent, so a contact with emails is deleted with "Erase
    # these people everywhere", which leaves the address's hash on the suppression list.
    page.goto(f"{base}/admin/accounts/contact/?q={CUSTOMER}")
    page.check("#action-toggle")  # both of the person's contacts
    page.select_option("select[name=action]", "erase_people")
    page.click("button[name=index]")
    page.get_by_role("button", name="Yes, erase them").click()
    expect(page.locator(".messagelist")).to_contain_text("Erased the personal data of 1 person.")
    journey.screenshot(page, "erased")
    assert not Contact.objects.filter(email=CUSTOMER).exists()
    import_csvs(page, base, {"Contacts CSV": contacts_csv()})
    expect(page.get_by_role("status")).to_contain_text("Contacts: 1 new, 3 updated")
    journey.screenshot(page, "imported-again")
    broadcast("survey-news-4", Category.SURVEYS)
    broadcast("summer-offer", Category.MARKETING)
    assert journey.received_from("survey-news-4", "summer-offer") == {
        COLLEAGUE: 2,
        OTHER_CUSTOMER: 2,
    }

    # In all, the customer got the survey and the one marketing email sent before the
    # erasure; the owner got one alert.
    assert journey.received() == {
        CUSTOMER: 2,
        COLLEAGUE: 7,
        OTHER_CUSTOMER: 7,
        admin.email: 1,
    }
