"""A customer answers a survey from the email link, with and without JavaScript."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from lifecycle.lib import links
from surveys.models import Response, Survey
from tests.factories import InvitationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THANK_YOU = "Thank you for your answer!"


@pytest.fixture
def nps() -> Survey:
    """The default NPS survey (tests/conftest.py recreates it after a transactional flush)."""
    return Survey.objects.get(slug="nps")


def score_link(base_url: str, invitation, score: int) -> str:
    token = links.sign(links.SURVEY_ANSWER, invitation.public_id)
    return base_url + reverse("surveys:answer", args=[token, score])


def test_the_clicked_score_is_saved_at_once_and_the_comment_with_the_button(
    page: Page, live_server, nps
):
    invitation = InvitationFactory(survey=nps)

    page.goto(score_link(live_server.url, invitation, 9))

    # The script posts the score without any click.
    expect(page.get_by_text("Your score is saved — tell us more")).to_be_visible()
    assert Response.objects.get(invitation=invitation).score == 9
    expect(page.get_by_role("radio", name="9")).to_be_checked()

    page.get_by_label("Great to hear! What do you value most?").fill("Fast, friendly support")
    page.get_by_role("button", name="Send my answer").click()

    expect(page.get_by_text(THANK_YOU)).to_be_visible()
    response = Response.objects.get(invitation=invitation)
    assert (response.score, response.comment) == (9, "Fast, friendly support")
    assert response.revisions.count() == 2


def test_choosing_another_score_asks_its_follow_up_question(page: Page, live_server, nps):
    invitation = InvitationFactory(survey=nps)
    page.goto(score_link(live_server.url, invitation, 9))
    expect(page.get_by_text("Your score is saved — tell us more")).to_be_visible()

    page.get_by_role("radio", name="3").check()

    expect(
        page.get_by_label("We are sorry to hear that. What should we do better?")
    ).to_be_visible()


def test_without_javascript_nothing_is_stored_until_the_button_is_pressed(
    browser: Browser, live_server, nps
):
    invitation = InvitationFactory(survey=nps)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(score_link(live_server.url, invitation, 9))
        expect(page.get_by_role("radio", name="9")).to_be_checked()
        page.wait_for_load_state("networkidle")
        assert not Response.objects.filter(invitation=invitation).exists()

        page.get_by_role("button", name="Send my answer").click()

        expect(page.get_by_text(THANK_YOU)).to_be_visible()
        assert Response.objects.get(invitation=invitation).score == 9
    finally:
        context.close()
