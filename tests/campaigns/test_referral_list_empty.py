"""The referrals page with nothing to list says why: there are no referrals yet, or none
matches the filters chosen."""

from __future__ import annotations

import pytest

from accounts.models import Lead
from campaigns.models import Referral
from tests.factories import CustomerContactFactory

pytestmark = pytest.mark.django_db

NONE_YET = "No referrals yet."
NONE_MATCH = "No referral matches these filters."


@pytest.mark.parametrize(
    "query",
    ["", "?status=&reward=&needs_review=", "?page=3", "?status=&reward=&needs_review=&page=2"],
)
def test_without_referrals_and_without_a_filter_it_says_there_are_none_yet(viewer_client, query):
    page = viewer_client.get(f"/referrals/{query}").content.decode()

    assert NONE_YET in page
    assert NONE_MATCH not in page


@pytest.mark.parametrize("query", ["?status=converted", "?reward=paid", "?needs_review=true"])
def test_a_filter_that_matches_nothing_says_so(viewer_client, query):
    Referral.objects.create(
        referrer=CustomerContactFactory(),
        lead=Lead.objects.create(email="marta@peer.example", source="referral"),
    )

    page = viewer_client.get(f"/referrals/{query}").content.decode()

    assert NONE_MATCH in page
    assert NONE_YET not in page
    assert "marta@peer.example" not in page
