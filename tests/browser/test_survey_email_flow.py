"""The whole survey flow with real parts: a campaign run sends through a real SMTP server, a
real browser follows the score link from the received email, and `metrics` shows the answer."""

from __future__ import annotations

import json
import re
import time
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from lifecycle.celery import app as celery_app
from lifecycle.staff.roles import MARKETER
from surveys.models import FollowUp, Invitation, Response
from tests.factories import CustomerContactFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPANISH_QUESTION = "¿Qué probabilidad hay de que nos recomiende a un amigo o colega?"


@pytest.fixture
def eager_celery():
    """Tasks run in this process, so the campaign run and the owner alert happen at once."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", email="owner@example.com", role=MARKETER)


def text_part(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def score_link(message, score: int) -> str:
    found = re.search(rf"^{score}: (\S+)", text_part(message), re.MULTILINE)
    assert found, text_part(message)
    return found.group(1)


def metrics_today() -> dict:
    today = timezone.localdate()
    out = StringIO()
    call_command(
        "metrics",
        start=today.isoformat(),
        end=(today + timezone.timedelta(days=1)).isoformat(),
        json=True,
        stdout=out,
    )
    return json.loads(out.getvalue())


def wait_for(condition, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_a_spanish_contact_answers_nps_from_the_email_in_a_browser(
    live_server, settings, smtp, eager_celery, owner, page: Page
):
    settings.SITE_URL = live_server.url
    contact = CustomerContactFactory(
        first_name="María", email="maria@cliente.example", language="es", account__owner=owner
    )

    call_command("send_campaign", "nps-quarterly", stdout=StringIO())

    assert smtp.wait_for(1)
    (message,) = smtp.messages
    assert message["To"] == "maria@cliente.example"
    assert message.get_content_type() == "multipart/alternative"
    assert {part.get_content_type() for part in message.iter_parts()} == {
        "text/plain",
        "text/html",
    }
    header = " ".join(str(message["List-Unsubscribe"]).split())
    unsubscribe = re.fullmatch(r"<(\S+)>, <mailto:(\S+)>", header)
    assert unsubscribe and unsubscribe.group(1).startswith(f"{live_server.url}/u/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert SPANISH_QUESTION in text_part(message)
    link = score_link(message, 9)
    assert link.startswith(f"{live_server.url}/s/")

    page.goto(link)
    expect(page.get_by_text(SPANISH_QUESTION)).to_be_visible()
    # The page's script records the clicked score at once.
    assert wait_for(lambda: Response.objects.filter(contact=contact, score=9).exists())
    page.locator("textarea").fill("El soporte es excelente <3")
    page.get_by_role("button").click()
    expect(page.get_by_text("¡Gracias por su respuesta!")).to_be_visible()

    response = Response.objects.get(contact=contact)
    assert (response.score, response.comment, response.language) == (
        9,
        "El soporte es excelente <3",
        "es",
    )
    assert response.revisions.count() == 2  # the score alone, then with the comment
    metrics = metrics_today()
    assert (metrics["nps"], metrics["nps_responses"]) == (100.0, 1)
    assert not FollowUp.objects.exists()  # a promoter needs no follow-up


def test_a_detractor_answer_alerts_the_owner_by_email_at_once(settings, smtp, eager_celery, owner):
    contact = CustomerContactFactory(language="en", account__owner=owner)
    call_command("send_campaign", "nps-quarterly", stdout=StringIO())
    assert smtp.wait_for(1)
    path = score_link(smtp.messages[0], 3).removeprefix(settings.SITE_URL)
    form_path = path.rsplit("/", 2)[0] + "/"

    Client().get(path)  # the landing page alone records nothing
    assert not Response.objects.exists()
    answer = Client().post(form_path, {"score": 3, "comment": "Too slow"})

    assert answer.status_code in (302, 303)
    assert smtp.wait_for(2)
    alert = smtp.messages[1]
    assert alert["To"] == "owner@example.com"
    assert "Too slow" in text_part(alert)
    assert FollowUp.objects.get(account=contact.account).reasons == "detractor"
    invitation = Invitation.objects.get(contact=contact)
    assert invitation.response.score == 3
    assert metrics_today()["nps"] == -100.0
    assert not mail.outbox  # everything went through the real SMTP server
