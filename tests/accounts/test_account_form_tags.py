"""The account form's tags: a box per tag, or, before any tag exists, where to make them
instead of a label over nothing."""

from __future__ import annotations

import pytest

from accounts.models import Tag
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

HINT = "No tags yet. An Admin creates them in Django admin (Customer accounts → Tags)."


def edit_page(client, account) -> str:
    response = client.get(f"/accounts/{account.pk}/edit/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("form", ["new", "edit"])
def test_without_tags_the_form_says_where_they_are_made(marketer_client, form):
    url = "/accounts/new/" if form == "new" else f"/accounts/{AccountFactory().pk}/edit/"

    page = marketer_client.get(url).content.decode()

    assert "<legend>Tags</legend>" in page
    assert HINT in page
    assert '<div id="id_tags">' not in page
    assert '<label for="">' not in page


def test_each_tag_is_a_labelled_box_under_the_tags_legend(marketer_client):
    Tag.objects.create(name="pilot")
    account = AccountFactory()
    account.tags.add(Tag.objects.create(name="enterprise-plan"))

    page = edit_page(marketer_client, account)

    assert HINT not in page
    assert '<label for="">' not in page
    boxes = page[page.index("<legend>Tags</legend>") : page.index("</fieldset>")]
    assert boxes.count('type="checkbox"') == 2
    assert "enterprise-plan</label>" in boxes and "pilot</label>" in boxes
    assert boxes.count("checked") == 1


def test_a_ticked_tag_is_saved(marketer_client):
    pilot = Tag.objects.create(name="pilot")
    account = AccountFactory(name="Acme", country="GB")

    response = marketer_client.post(
        f"/accounts/{account.pk}/edit/", {"name": "Acme", "country": "GB", "tags": [pilot.pk]}
    )

    assert response.status_code == 302
    assert list(account.tags.all()) == [pilot]
