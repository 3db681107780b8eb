"""Adding a suppression in Django admin: an unsubscribe is from one category, because a
resubscribe lifts only that category's; one "from every category" could never be lifted."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Category, Suppression, address_hash
from campaigns.subscriptions import is_subscribed, resubscribe
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

ADDRESS = "ana.lopez@example.com"
ADD = reverse("admin:campaigns_suppression_add")


def add(client: Client, *, reason: str, category: str):
    return client.post(
        ADD, {"address": ADDRESS, "category": category, "reason": reason, "description": ""}
    )


def test_an_unsubscribe_from_every_category_is_refused_with_the_reason(superuser_client):
    page = add(superuser_client, reason="unsubscribe", category="")

    assert page.status_code == 200
    assert page.context["adminform"].form.errors["category"] == [
        "Choose the category the person unsubscribed from: a resubscribe lifts one category, "
        "so an unsubscribe from every category could never be lifted. To stop every email, "
        "choose the reason “Blocked by staff”."
    ]
    assert "could never be lifted" in page.text
    assert not Suppression.objects.exists()


def test_an_unsubscribe_from_one_category_is_added_and_a_resubscribe_lifts_it(superuser_client):
    contact = ContactFactory(email=ADDRESS.upper())

    page = add(superuser_client, reason="unsubscribe", category=Category.MARKETING)

    assert page.status_code == 302, page.content
    entry = Suppression.objects.get()
    assert (entry.address_hash, entry.category, entry.reason) == (
        address_hash(ADDRESS),
        Category.MARKETING,
        Suppression.Reason.UNSUBSCRIBE,
    )
    assert not is_subscribed(contact, Category.MARKETING)

    resubscribe(contact, Category.MARKETING, now=timezone.now())  # the preference page

    assert not Suppression.objects.exists()
    assert is_subscribed(contact, Category.MARKETING)


def test_staff_may_still_block_every_category(superuser_client):
    page = add(superuser_client, reason="staff", category="")

    assert page.status_code == 302, page.content
    assert Suppression.objects.get().scope == "every category"
