"""The referral program: each contact's own link, a public page in their language where a
peer leaves their details, a lead made or matched, fraud flagged for review (never dropped),
and staff moving referrals along."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Lead
from campaigns import pipeline, referrals
from campaigns.models import Message, Referral
from campaigns.services import plan
from tests.factories import (
    ContactFactory,
    CustomerContactFactory,
    ResponseFactory,
    campaign,
)

pytestmark = pytest.mark.django_db

PEER = {
    "first_name": "Marta",
    "last_name": "Ruiz",
    "email": "marta@peer.example",
    "company": "Peer SL",
    "consent": "on",
}


@pytest.fixture
def referrer():
    return CustomerContactFactory(
        first_name="Lucía", email="lucia@acme.example", language="es", account__name="Acme"
    )


def page_of(contact) -> str:
    return "/r/" + referrals.code_for(contact).code + "/"


def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def submit(url: str, data: dict, *, address: str = "203.0.113.7"):
    client = csrf_client()
    form = client.get(url, REMOTE_ADDR=address)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode())[1]
    return client.post(url, {**data, "csrfmiddlewaretoken": token}, REMOTE_ADDR=address)


def test_each_contact_has_one_unguessable_code():
    contact = CustomerContactFactory()

    first, again = referrals.code_for(contact), referrals.code_for(contact)

    assert first == again
    assert len(first.code) >= 12
    assert referrals.code_for(CustomerContactFactory()).code != first.code


def test_the_page_speaks_the_referrers_language_and_records_the_lead(referrer):
    url = page_of(referrer)

    page = csrf_client().get(url)
    response = submit(url, PEER)

    assert "Lucía" in page.content.decode() and "Acme" in page.content.decode()
    assert page["Content-Language"] == "es"
    assert response.status_code == 303
    referral = Referral.objects.get()
    assert (referral.referrer, referral.lead.email) == (referrer, "marta@peer.example")
    assert (referral.status, referral.reward, referral.needs_review) == (
        "referred",
        "pending",
        False,
    )
    assert referral.lead.source == "referral" and referral.lead.company == "Peer SL"
    assert referral.client and "203.0.113.7" not in referral.client  # hashed
    thanks = csrf_client().get(response["Location"])
    assert "Gracias" in thanks.content.decode()


def test_the_form_needs_the_csrf_token_and_consent(referrer):
    url = page_of(referrer)

    assert csrf_client().post(url, PEER).status_code == 403
    refused = submit(url, {**PEER, "consent": ""})
    assert refused.status_code == 400
    assert not Referral.objects.exists()


def test_a_lead_referred_again_is_matched_and_flagged_as_a_duplicate(referrer):
    other = CustomerContactFactory(email="bob@other.example")
    submit(page_of(referrer), PEER)

    submit(page_of(other), {**PEER, "email": "MARTA@peer.example"}, address="198.51.100.1")

    assert Lead.objects.count() == 1
    second = Referral.objects.get(referrer=other)
    assert second.flags == "duplicate" and second.needs_review


@pytest.mark.parametrize(
    ("email", "flag"),
    [
        ("lucia@acme.example", "self"),
        ("colleague@acme.example", "same_company"),
    ],
)
def test_self_referrals_are_recorded_and_flagged_not_dropped(referrer, email, flag):
    submit(page_of(referrer), {**PEER, "email": email})

    referral = Referral.objects.get()
    assert flag in referral.flags.split(",") and referral.needs_review


def test_a_shared_mailbox_domain_is_not_a_same_company_referral():
    gmail_user = CustomerContactFactory(email="someone@gmail.com")

    submit(page_of(gmail_user), {**PEER, "email": "friend@gmail.com"})

    assert Referral.objects.get().flags == ""


def test_an_existing_customer_is_flagged(referrer):
    CustomerContactFactory(email="already@customer.example")

    submit(page_of(referrer), {**PEER, "email": "already@customer.example"})

    assert "existing_customer" in Referral.objects.get().flags


def test_a_burst_from_one_address_flags_the_whole_burst(referrer):
    for n in range(3):
        submit(page_of(referrer), {**PEER, "email": f"p{n}@burst{n}.example"})

    assert list(Referral.objects.order_by("pk").values_list("needs_review", flat=True)) == [
        True,
        True,
        True,
    ]
    assert all("burst" in flags for flags in Referral.objects.values_list("flags", flat=True))


def test_a_bot_filling_the_hidden_field_is_thanked_and_nothing_is_recorded(referrer):
    response = submit(page_of(referrer), {**PEER, "website": "https://spam.example"})

    assert response.status_code == 303
    assert not Referral.objects.exists() and not Lead.objects.exists()


@pytest.mark.parametrize("code", ["nope", "x" * 300, "%00", "..%2F"])
def test_a_bad_code_is_a_404_page(code):
    assert Client().get(f"/r/{code}/").status_code == 404


def test_names_with_control_or_direction_characters_are_refused(referrer):
    response = submit(page_of(referrer), {**PEER, "first_name": "Marta\r\nBcc: x@evil"})
    bidi = submit(page_of(referrer), {**PEER, "company": "\u202eLS reeP"}, address="192.0.2.9")

    assert response.status_code == 400 and bidi.status_code == 400
    assert not Referral.objects.exists()


def test_the_page_is_rate_limited(referrer, settings):
    settings.RATE_LIMITS = {"referral": 2}
    url = page_of(referrer)

    assert [Client().get(url).status_code for _ in range(3)] == [200, 200, 429]


def test_the_referral_request_carries_the_contacts_own_link():
    promoter = ResponseFactory(score=10, submitted_at=timezone.now() - dt.timedelta(days=1))
    plan(campaign("referral-request"), now=timezone.now(), immediate=True)
    message = Message.objects.get(campaign__slug="referral-request")

    email = pipeline.build(message)

    link = page_of(promoter.contact)
    assert link in email.body and link in email.alternatives[0][0]


def test_marketers_move_a_referral_along_and_viewers_only_read(
    referrer, marketer_client, viewer_client
):
    submit(page_of(referrer), PEER)
    referral = Referral.objects.get()

    listing = viewer_client.get("/referrals/")
    assert "marta@peer.example" in listing.content.decode()
    assert (
        viewer_client.post(f"/referrals/{referral.pk}/", {"status": "rejected"}).status_code == 403
    )
    response = marketer_client.post(
        f"/referrals/{referral.pk}/",
        {"status": "converted", "reward": "approved", "next": "https://evil.example/"},
    )

    assert response.status_code == 303 and response["Location"] == "/referrals/"
    referral.refresh_from_db()
    assert (referral.status, referral.reward) == ("converted", "approved")
    assert referral.lead.status == "converted"


def test_the_referrals_page_costs_the_same_queries_for_3_and_for_30(
    referrer, viewer_client, django_assert_max_num_queries
):
    def make(count: int) -> None:
        for n in range(count):
            peer = ContactFactory().email
            Referral.objects.create(
                referrer=referrer,
                lead=Lead.objects.create(email=f"{n}-{peer}", source="referral"),
            )

    make(3)
    with django_assert_max_num_queries(12) as few:
        viewer_client.get("/referrals/")
    make(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        viewer_client.get("/referrals/")


def test_a_gmail_alias_of_the_referrer_is_a_self_referral_and_of_a_lead_a_duplicate():
    gmail_user = CustomerContactFactory(email="lucia.perez@gmail.com")
    submit(page_of(gmail_user), {**PEER, "email": "LuciaPerez+friend@googlemail.com"})
    submit(page_of(gmail_user), {**PEER, "email": "ana@peer.example"}, address="192.0.2.1")
    submit(page_of(gmail_user), {**PEER, "email": "ana+2@peer.example"}, address="192.0.2.2")

    flags = list(Referral.objects.order_by("pk").values_list("flags", flat=True))
    assert flags == ["self", "", "duplicate"]


def test_the_same_address_in_another_case_matches_the_lead_without_an_error(referrer):
    submit(page_of(referrer), {**PEER, "email": "marta@éxample.com"}, address="192.0.2.1")
    response = submit(
        page_of(referrer), {**PEER, "email": "Marta@éxample.com"}, address="192.0.2.2"
    )

    assert response.status_code == 303
    assert Lead.objects.count() == 1


def test_rejecting_a_duplicate_does_not_undo_the_conversion_of_the_lead(referrer):
    other = CustomerContactFactory(email="bob@other.example")
    submit(page_of(referrer), PEER, address="192.0.2.1")
    submit(page_of(other), PEER, address="192.0.2.2")
    original, duplicate = Referral.objects.order_by("pk")

    referrals.set_progress(original, status="converted", reward="approved", needs_review=False)
    referrals.set_progress(duplicate, status="rejected", reward="none", needs_review=False)

    assert Lead.objects.get().status == "converted"


def test_the_consent_is_kept_in_the_words_the_page_showed(referrer):
    submit(page_of(referrer), PEER)

    referral = Referral.objects.get()
    assert referral.consent_text == (
        "Acepto que se pongan en contacto conmigo por correo electrónico sobre este asunto."
    )
    assert referral.consented_at is not None
