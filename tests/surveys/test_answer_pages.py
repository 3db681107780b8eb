"""The public survey answer pages: hostile input, scanners, languages, and the rate limit."""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import quote

import django_ratelimit.core
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.validation import validate_plain_multiline_text
from lifecycle.lib import links
from surveys.models import FollowUp, Response, ResponseRevision
from tests.factories import InvitationFactory, survey
from tests.fuzz import FUZZ

pytestmark = pytest.mark.django_db

QUESTION = "How likely are you to recommend us to a friend or colleague?"
HIGH_FOLLOW_UP = "Great to hear! What do you value most?"
LOW_FOLLOW_UP = "We are sorry to hear that. What should we do better?"
THANK_YOU = "Thank you for your answer!"
SPANISH_QUESTION = "¿Qué probabilidad hay de que nos recomiende a un amigo o colega?"
BAD_LINK = "This link doesn’t work"
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def invitation():
    return InvitationFactory()


def token_for(invitation) -> str:
    return links.sign(links.SURVEY_ANSWER, invitation.public_id)


def score_url(invitation, score: int) -> str:
    return reverse("surveys:answer", args=[token_for(invitation), score])


def form_url(invitation) -> str:
    return reverse("surveys:answer-form", args=[token_for(invitation)])


def stored() -> tuple[int, int, int]:
    return Response.objects.count(), ResponseRevision.objects.count(), FollowUp.objects.count()


def checked_scores(html: str) -> list[str]:
    """The values of the checked score radios in a rendered page."""
    return [
        part.split('"')[1]
        for part in html.split('name="score" value=')[1:]
        if " checked" in part.split(">")[0]
    ]


# --- The landing page -------------------------------------------------------------------------


def test_the_score_link_shows_the_question_with_the_clicked_score_preselected(client, invitation):
    page = client.get(score_url(invitation, 9))

    assert page.status_code == 200
    html = page.content.decode()
    assert QUESTION in html
    assert checked_scores(html) == ["9"]
    assert html.count('type="radio" name="score"') == 11
    assert f'<label id="follow-up" for="id_comment">{HIGH_FOLLOW_UP}</label>' in html
    assert "<textarea" in html
    assert 'type="submit"' in html
    assert 'data-autosave="true"' in html
    assert 'src="/static/js/survey-answer.js"' in html
    assert 'name="viewport"' in html
    assert '<html lang="en">' in html


def test_a_low_score_link_asks_the_low_band_follow_up(client, invitation):
    page = client.get(score_url(invitation, 3))

    assert f'<label id="follow-up" for="id_comment">{LOW_FOLLOW_UP}</label>' in page.text


def test_the_page_carries_no_inline_script(client, invitation):
    html = client.get(score_url(invitation, 9)).text

    assert html.count("<script") == html.count("<script src=") == 1


def test_the_landing_page_runs_few_queries(client, invitation, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        assert client.get(score_url(invitation, 9)).status_code == 200


@pytest.mark.parametrize("score", [11, 12, 99, 10**20])
def test_an_out_of_scale_score_in_the_url_preselects_nothing(client, invitation, score):
    page = client.get(score_url(invitation, score))

    assert page.status_code == 200
    assert checked_scores(page.text) == []
    assert 'data-autosave="true"' not in page.text


def test_a_csat_link_offers_the_five_point_scale(client):
    invitation = InvitationFactory(survey=survey("csat"))

    page = client.get(score_url(invitation, 4))

    assert page.text.count('type="radio" name="score"') == 5
    assert checked_scores(page.text) == ["4"]


def test_getting_every_score_link_stores_nothing(client, invitation):
    """Mail security scanners prefetch every link of an email, and may send HEAD first."""
    for score in range(11):
        assert client.get(score_url(invitation, score)).status_code == 200
        assert client.head(score_url(invitation, score)).status_code == 200
    assert client.get(form_url(invitation)).status_code == 200

    assert stored() == (0, 0, 0)


def test_the_score_link_itself_refuses_a_post(client, invitation):
    page = client.post(score_url(invitation, 9), {"score": "9"})

    assert page.status_code == 405
    assert stored() == (0, 0, 0)


def test_the_pages_are_never_cached(client, invitation):
    page = client.get(score_url(invitation, 9))

    assert "no-store" in page["Cache-Control"]


# --- Answering ----------------------------------------------------------------------------------


def test_the_script_post_of_the_score_alone_records_it_and_answers_json(client, invitation):
    page = client.post(form_url(invitation), {"score": "9"}, **JSON)

    assert page.status_code == 200
    assert page.json() == {"saved": True, "score": 9}
    response = Response.objects.get(invitation=invitation)
    assert (response.score, response.comment, response.source) == (9, "", "email")


def test_the_button_records_score_and_comment_and_shows_the_thank_you_page(client, invitation):
    url = form_url(invitation)  # tokens carry their signing time: sign once

    page = client.post(url, {"score": "9", "comment": "Fast support"})

    assert page.status_code == 303
    assert page["Location"] == url
    response = Response.objects.get(invitation=invitation)
    assert (response.score, response.comment) == (9, "Fast support")

    thanks = client.get(page["Location"])
    assert thanks.status_code == 200
    assert THANK_YOU in thanks.text
    assert ">\nFast support</textarea>" in thanks.text  # the form, prefilled to change it
    assert checked_scores(thanks.text) == ["9"]


def test_a_score_alone_keeps_the_comment_already_stored(client, invitation):
    client.post(form_url(invitation), {"score": "9", "comment": "Fast support"})

    client.post(form_url(invitation), {"score": "10"}, **JSON)

    response = Response.objects.get(invitation=invitation)
    assert (response.score, response.comment) == (10, "Fast support")


def test_an_empty_comment_field_clears_the_comment(client, invitation):
    client.post(form_url(invitation), {"score": "9", "comment": "Fast support"})

    client.post(form_url(invitation), {"score": "9", "comment": ""})

    assert Response.objects.get(invitation=invitation).comment == ""


def test_answering_twice_updates_one_response_and_keeps_both_versions(client, invitation):
    client.post(form_url(invitation), {"score": "9"}, **JSON)  # the script, on landing
    client.post(form_url(invitation), {"score": "6", "comment": "Slow"})  # then the button

    response = Response.objects.get(invitation=invitation)
    assert (response.score, response.comment) == (6, "Slow")
    assert list(response.revisions.values_list("score", "comment")) == [(9, ""), (6, "Slow")]


def test_reusing_the_link_later_changes_the_same_response(client, invitation):
    client.post(form_url(invitation), {"score": "3", "comment": "Bad"})

    client.get(score_url(invitation, 10))  # a click on another score in the same email
    client.post(form_url(invitation), {"score": "10"}, **JSON)

    assert Response.objects.filter(invitation=invitation).count() == 1
    assert Response.objects.get(invitation=invitation).score == 10
    assert ResponseRevision.objects.count() == 2


def test_a_detractor_answer_opens_a_follow_up(client, invitation):
    client.post(form_url(invitation), {"score": "2", "comment": "Bad"})

    item = FollowUp.objects.get(account=invitation.account)
    assert (item.response.invitation, item.reason_list) == (invitation, ["detractor"])


def test_the_form_refuses_a_cross_site_post(invitation):
    client = Client(enforce_csrf_checks=True)

    page = client.post(form_url(invitation), {"score": "9"})

    assert page.status_code == 403
    assert stored() == (0, 0, 0)


def test_the_form_accepts_a_post_with_the_page_csrf_token(invitation):
    client = Client(enforce_csrf_checks=True)
    client.get(score_url(invitation, 9))
    token = client.cookies["csrftoken"].value

    page = client.post(form_url(invitation), {"score": "9", "csrfmiddlewaretoken": token}, **JSON)

    assert page.status_code == 200
    assert Response.objects.filter(invitation=invitation, score=9).exists()


# --- Hostile input ------------------------------------------------------------------------------


def tampered(token: str) -> str:
    value, signature = token.rsplit(":", 1)
    return f"{value}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


BROKEN_TOKENS = {
    "tampered": tampered,
    "truncated": lambda token: token[:-5],
    "cut at the colon": lambda token: token.split(":")[0],
    "random": lambda token: "k3Jq9Zx0-not-a-token",
    "other payload": lambda token: links.sign(links.SURVEY_ANSWER, uuid.uuid4()),
    "unsubscribe salt": lambda token: token,  # replaced below: same id, another purpose
}


@pytest.mark.parametrize("kind", sorted(BROKEN_TOKENS))
def test_it_answers_a_friendly_404_to_a_broken_token(client, invitation, kind):
    token = BROKEN_TOKENS[kind](token_for(invitation))
    if kind == "unsubscribe salt":
        token = links.sign(links.UNSUBSCRIBE, invitation.public_id)

    pages = [
        client.get(reverse("surveys:answer", args=[token, 9])),
        client.get(reverse("surveys:answer-form", args=[token])),
        client.post(reverse("surveys:answer-form", args=[token]), {"score": "9"}),
    ]

    assert [page.status_code for page in pages] == [404, 404, 404]
    assert all(BAD_LINK in page.text for page in pages)
    assert stored() == (0, 0, 0)


def test_a_broken_token_answers_json_to_the_script(client):
    page = client.post(reverse("surveys:answer-form", args=["nope"]), {"score": "9"}, **JSON)

    assert page.status_code == 404
    assert page.json() == {"saved": False, "error": "not_found"}


def test_an_expired_invitation_answers_410_and_records_nothing(client):
    invitation = InvitationFactory(expires_at=timezone.now() - dt.timedelta(seconds=1))

    pages = [
        client.get(score_url(invitation, 9)),
        client.get(form_url(invitation)),
        client.post(form_url(invitation), {"score": "9", "comment": "late"}),
    ]

    assert [page.status_code for page in pages] == [410, 410, 410]
    assert "This survey has closed" in pages[0].text
    assert stored() == (0, 0, 0)


def test_an_expired_invitation_answers_json_to_the_script(client):
    invitation = InvitationFactory(expires_at=timezone.now() - dt.timedelta(days=1))

    page = client.post(form_url(invitation), {"score": "9"}, **JSON)

    assert page.status_code == 410
    assert page.json()["error"] == "expired"


@pytest.mark.parametrize("score", ["11", "-1", "abc", "", "9.5", "1e1", " 9", "٩", "9; DROP"])
def test_an_out_of_scale_or_malformed_posted_score_is_a_400_with_the_form(
    client, invitation, score
):
    page = client.post(form_url(invitation), {"score": score, "comment": "kept in the form"})

    assert page.status_code == 400
    assert QUESTION in page.text
    assert "kept in the form</textarea>" in page.text
    assert stored() == (0, 0, 0)


def test_a_post_without_a_score_is_a_400(client, invitation):
    page = client.post(form_url(invitation), {"comment": "no score"})

    assert page.status_code == 400
    assert stored() == (0, 0, 0)


def test_a_bad_post_from_the_script_gets_json_errors(client, invitation):
    page = client.post(form_url(invitation), {"score": "42"}, **JSON)

    assert page.status_code == 400
    assert "score" in page.json()["errors"]


def test_a_comment_of_5000_characters_is_accepted_and_one_more_is_not(client, invitation):
    too_long = client.post(form_url(invitation), {"score": "9", "comment": "x" * 5001})
    longest = client.post(form_url(invitation), {"score": "9", "comment": "x" * 5000})

    assert (too_long.status_code, longest.status_code) == (400, 303)
    assert len(Response.objects.get(invitation=invitation).comment) == 5000


def test_a_body_over_the_upload_limit_is_a_400(client, invitation):
    page = client.post(form_url(invitation), {"score": "9", "comment": "x" * 3_000_000})

    assert page.status_code == 400
    assert stored() == (0, 0, 0)


def test_a_nul_character_in_the_comment_is_refused(client, invitation):
    page = client.post(form_url(invitation), {"score": "9", "comment": "a\x00b"})

    assert page.status_code == 400
    assert stored() == (0, 0, 0)


def test_percent_encoded_non_utf8_bytes_are_stored_as_replacement_characters(client, invitation):
    page = client.generic(
        "POST",
        form_url(invitation),
        b"score=9&comment=%FF%FE",
        content_type="application/x-www-form-urlencoded",
    )

    assert page.status_code == 303
    assert Response.objects.get(invitation=invitation).comment == "\ufffd\ufffd"


def test_raw_non_utf8_bytes_in_the_body_do_not_break_the_page(client, invitation):
    page = client.generic(
        "POST",
        form_url(invitation),
        b"score=9&comment=caf\xe9 \xff\xfe",
        content_type="application/x-www-form-urlencoded",
    )

    assert page.status_code == 303
    assert Response.objects.get(invitation=invitation).score == 9


def test_a_malformed_multipart_body_is_a_400(client, invitation):
    page = client.generic(
        "POST",
        form_url(invitation),
        b"--xx\r\nContent-Disposition: form-data; name=\x00\r\n\r\n9",
        content_type="multipart/form-data; boundary=",
    )

    assert page.status_code == 400
    assert stored() == (0, 0, 0)


def test_a_script_comment_is_stored_as_given_and_shown_as_text(client, invitation):
    comment = "<script>alert('x')</script> & <b>bold</b>"

    client.post(form_url(invitation), {"score": "9", "comment": comment})
    page = client.get(form_url(invitation))

    assert Response.objects.get(invitation=invitation).comment == comment
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;" in page.text
    assert "<script>alert" not in page.text


@pytest.mark.parametrize("token", ["%FF%FE", "%C0%AF", "a%00b", "%E2%80%AE", "..%2F..%2Fetc"])
def test_broken_bytes_in_the_link_are_a_404(client, token):
    assert client.get(f"/s/{token}/").status_code == 404
    assert client.get(f"/s/{token}/9/").status_code == 404
    assert client.post(f"/s/{token}/", {"score": "9"}).status_code == 404


@FUZZ
@given(token=st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=120))
def test_no_token_makes_a_500(client, db, token):
    quoted = quote(token, safe="")

    for url in (f"/s/{quoted}/", f"/s/{quoted}/9/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/s/{quoted}/", {"score": "9"}).status_code in (404, 405)


def is_plain_free_text(text: str) -> bool:
    try:
        validate_plain_multiline_text(text)
    except ValidationError:
        return False
    return True


@FUZZ
@given(comment=st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300))
def test_no_comment_makes_a_500(client, db, comment):
    invitation = InvitationFactory()

    page = client.post(form_url(invitation), {"score": "7", "comment": comment})

    # A NUL, or a control or invisible character other than a line break (accounts/validation.py)
    if "\x00" in comment or not is_plain_free_text(comment.strip()):
        assert page.status_code == 400
    else:
        assert page.status_code == 303
        assert Response.objects.get(invitation=invitation).comment == comment.strip()


# --- Languages ----------------------------------------------------------------------------------


def test_the_page_speaks_the_invitation_language(client):
    invitation = InvitationFactory(language="es", contact__language="es")

    page = client.get(score_url(invitation, 9))

    assert SPANISH_QUESTION in page.text
    assert '<html lang="es">' in page.text
    assert page["Content-Language"] == "es"


def test_a_language_without_survey_wording_falls_back_to_english(client):
    invitation = InvitationFactory(language="de", contact__language="de")

    page = client.get(score_url(invitation, 9))

    assert page.status_code == 200
    assert QUESTION in page.text
    assert '<html lang="en">' in page.text


def test_a_regional_tag_uses_its_language(client):
    invitation = InvitationFactory(language="es-MX")

    assert SPANISH_QUESTION in client.get(score_url(invitation, 9)).text


def test_the_browser_language_does_not_override_the_invitation_language(client):
    invitation = InvitationFactory(language="es")

    page = client.get(score_url(invitation, 9), HTTP_ACCEPT_LANGUAGE="ru")

    assert SPANISH_QUESTION in page.text


def test_the_thank_you_text_is_in_the_invitation_language(client):
    invitation = InvitationFactory(language="es")

    client.post(form_url(invitation), {"score": "9"})

    assert "¡Gracias por su respuesta!" in client.get(form_url(invitation)).text


# --- Rate limit ---------------------------------------------------------------------------------


def test_the_rate_limit_answers_429_past_the_limit(client, invitation, settings):
    settings.RATE_LIMITS = {"survey": 3}

    answers = [client.get(score_url(invitation, 9)).status_code for _ in range(4)]
    refused = client.post(form_url(invitation), {"score": "9"})

    assert answers == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert "Too many requests" in refused.text
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert stored() == (0, 0, 0)


def test_the_rate_limit_counts_each_client_apart(client, invitation, settings):
    settings.RATE_LIMITS = {"survey": 1}
    client.get(score_url(invitation, 9), REMOTE_ADDR="10.0.0.1")

    other = client.get(score_url(invitation, 9), REMOTE_ADDR="10.0.0.2")
    again = client.get(score_url(invitation, 9), REMOTE_ADDR="10.0.0.1")

    assert (other.status_code, again.status_code) == (200, 429)


class Clock:
    """Stands in for the `time` module django-ratelimit reads its window from."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


def test_the_rate_limit_window_starts_afresh_each_minute(client, invitation, settings, monkeypatch):
    settings.RATE_LIMITS = {"survey": 1}
    clock = Clock(1_800_000_000.0)
    monkeypatch.setattr(django_ratelimit.core, "time", clock)

    first = client.get(score_url(invitation, 9)).status_code
    second = client.get(score_url(invitation, 9)).status_code
    clock.now += 60
    next_minute = client.get(score_url(invitation, 9)).status_code

    assert (first, second, next_minute) == (200, 429, 200)


def test_a_cache_outage_lets_requests_through(client, invitation, monkeypatch):
    class BrokenCache:
        def add(self, *args, **kwargs):
            raise ConnectionError("cache down")

    monkeypatch.setattr(django_ratelimit.core, "caches", {"default": BrokenCache()})

    assert client.get(score_url(invitation, 9)).status_code == 200
