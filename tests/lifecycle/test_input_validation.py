"""Hostile input that used to reach the database or a 500: deeply nested JSON on every API
write (lifecycle/lib/json_parsing.py), and names and free text with control, bidi or
invisible characters, refused where people type them (accounts/validation.py)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Account, Contact, Subscription, Tag
from accounts.validation import validate_plain_multiline_text, validate_plain_text
from campaigns.models import Campaign, Event
from lifecycle import api_urls
from lifecycle.lib import links
from lifecycle.lib.json_parsing import MAX_DEPTH, has_lone_surrogate, nesting_depth
from surveys.models import FollowUp, Response
from tests.campaigns.admin_forms import campaign_form
from tests.factories import (
    AccountFactory,
    ContactFactory,
    CustomerContactFactory,
    InvitationFactory,
    ResponseFactory,
    SubscriptionFactory,
)

pytestmark = pytest.mark.django_db

REFUSED = "Remove the control, direction or invisible characters from this text."
HEADER_INJECTION = "Ana\r\nBcc: everyone@example.com"
SPOOFS = [
    "Ana\nBcc: x@evil.test",  # a line break
    "Ana\x1b[31m",  # a terminal escape
    "Ana\x85",  # NEL, a C1 control
    "\u202eAna",  # right-to-left override
    "Ana\u2066x\u2069",  # an isolate
    "pay\u200bpal",  # zero-width space
    "pay\u00adpal",  # soft hyphen
    "\ufeffAna",  # byte order mark
    "Ana\u2028x",  # line separator
    "\u3164",  # Hangul filler: a blank-looking name
    "Ana\U000e0041",  # a tag character (invisible ASCII smuggling)
    "Ana\ud800",  # a lone surrogate: UTF-8 cannot hold it
]
REAL_NAMES = [
    "José Müller-Łukasiewicz",
    "O'Brien & Söhne GmbH",
    "東京 株式会社",
    "محمد",
    "می\u200cخواهم",  # Persian with a zero-width non-joiner
    "👩\u200d💻 Team",  # an emoji sequence with a zero-width joiner
    "Zoë ✓",
]


# --- The rule ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [HEADER_INJECTION, "Ana\tB", *SPOOFS])
def test_a_name_refuses_control_bidi_and_invisible_characters(value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_plain_text(value)

    assert refused.value.messages == [REFUSED]


@pytest.mark.parametrize("value", REAL_NAMES)
def test_real_names_in_any_script_are_accepted(value: str) -> None:
    validate_plain_text(value)
    validate_plain_multiline_text(value)


def test_free_text_may_hold_line_breaks_and_tabs_as_browsers_post_them() -> None:
    validate_plain_multiline_text("First line\nSecond\tcolumn\r\nThird, from a textarea")


@pytest.mark.parametrize("value", ["bare \r return", "vertical \x0b tab", *SPOOFS[1:]])
def test_free_text_refuses_every_other_control_or_invisible_character(value: str) -> None:
    with pytest.raises(ValidationError):
        validate_plain_multiline_text(value)


# --- Where people type ----------------------------------------------------------------------


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("url", "payload", "field"),
    [
        ("/api/v1/accounts/", {"name": "\u202eemca"}, "name"),
        ("/api/v1/accounts/", {"name": "Acme", "industry": "Soft\nware"}, "industry"),
        ("/api/v1/contacts/", {"email": "ana@acme.test", "first_name": HEADER_INJECTION}, None),
        ("/api/v1/contacts/", {"email": "ana@acme.test", "last_name": "Ruiz\u200b"}, None),
        ("/api/v1/subscriptions/", {"mrr": "10", "plan": "Pro\x00"}, None),
    ],
)
def test_the_api_refuses_the_text_with_a_400_naming_the_field(
    marketer, url: str, payload: dict, field: str | None
) -> None:
    account = AccountFactory()
    if field is None:
        field = next(name for name in payload if name not in ("email", "mrr"))
        payload = {**payload, "account": account.pk, "started_on": "2024-01-01"}

    response = _api(marketer).post(url, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Account.objects.count() == 1 and not Contact.objects.exists()


def test_a_free_text_field_of_the_api_keeps_its_line_breaks(marketer) -> None:
    account = AccountFactory()
    payload = {
        "account": account.pk,
        "mrr": "10",
        "started_on": "2024-01-01",
        "ended_on": "2024-06-01",
        "cancel_type": "voluntary",
        "cancel_reason": "Too expensive.\nMoved to a competitor.",
    }

    response = _api(marketer).post("/api/v1/subscriptions/", payload, format="json")

    assert response.status_code == 201, response.json()
    assert Subscription.objects.get().cancel_reason == payload["cancel_reason"]


def test_an_event_external_id_is_plain_text(marketer) -> None:
    contact = CustomerContactFactory()
    payload = {"type": "ticket_closed", "contact": contact.pk, "external_id": "t-1\r\nX: y"}

    response = _api(marketer).post("/api/v1/events/", payload, format="json")

    assert response.status_code == 400
    assert "external_id" in response.json()
    assert not Event.objects.exists()


def _csv(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _failing_import(**files: str) -> list[str]:
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_crm", stdout=io.StringIO(), stderr=err, **files)
    return err.getvalue().splitlines()


def test_the_importer_refuses_a_name_with_a_line_break(tmp_path: Path) -> None:
    AccountFactory(external_id="a1")
    path = _csv(
        tmp_path,
        "contacts.csv",
        "external_id,account_external_id,email,first_name\n"
        f'c1,a1,ana@acme.test,"{HEADER_INJECTION}"\n',
    )

    errors = _failing_import(contacts=path)

    assert errors == [
        f"{path}:2: first_name: has control, direction or invisible characters "
        "(such as a line break)"
    ]
    assert not Contact.objects.exists()


def test_the_importer_refuses_a_bidi_override_in_an_account_name(tmp_path: Path) -> None:
    path = _csv(tmp_path, "accounts.csv", "external_id,name\na1,\u202eemcA\n")

    errors = _failing_import(accounts=path)

    assert errors[0].startswith(f"{path}:2: name: has control, direction")
    assert not Account.objects.exists()


def test_the_importer_keeps_line_breaks_in_free_text(tmp_path: Path) -> None:
    AccountFactory(external_id="a1")
    contact = ContactFactory(external_id="c1")
    path = _csv(
        tmp_path,
        "subscriptions.csv",
        "external_id,account_external_id,mrr,started_on,ended_on,cancel_type,cancel_reason\n"
        's1,a1,10,2024-01-01,2024-06-01,voluntary,"Too dear.\r\nMoved on."\n',
    )
    responses = _csv(
        tmp_path,
        "responses.csv",
        "external_id,contact_external_id,survey_kind,score,comment,submitted_at\n"
        'r1,c1,nps,9,"Great.\nThanks!",2024-05-01T10:00:00\n',
    )

    call_command("import_crm", subscriptions=path, responses=responses, stdout=io.StringIO())

    assert Subscription.objects.get().cancel_reason == "Too dear.\r\nMoved on."
    assert Response.objects.get(contact=contact).comment == "Great.\nThanks!"


def test_the_importer_refuses_a_control_character_in_a_survey_comment(tmp_path: Path) -> None:
    ContactFactory(external_id="c1")
    path = _csv(
        tmp_path,
        "responses.csv",
        "external_id,contact_external_id,survey_kind,score,comment,submitted_at\n"
        "r1,c1,nps,9,Great\x1b[2J,2024-05-01T10:00:00\n",
    )

    errors = _failing_import(responses=path)

    assert errors[0].startswith(f"{path}:2: comment: has control, direction")
    assert not Response.objects.exists()


def test_the_admin_refuses_a_tag_with_a_direction_override(admin_client_: Client) -> None:
    response = admin_client_.post("/admin/accounts/tag/add/", {"name": "vip\u202e"})

    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not Tag.objects.exists()


def test_the_admin_refuses_a_campaign_name_with_a_line_break(admin_client_: Client) -> None:
    response = admin_client_.post(
        "/admin/campaigns/campaign/add/", campaign_form(name="Winback\r\nBcc: x")
    )

    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not Campaign.objects.filter(slug="winback").exists()


def _answer_url(invitation) -> str:
    return reverse(
        "surveys:answer-form", args=[links.sign(links.SURVEY_ANSWER, invitation.public_id)]
    )


def test_the_public_answer_form_refuses_a_comment_with_control_characters(client: Client) -> None:
    invitation = InvitationFactory()

    response = client.post(_answer_url(invitation), {"score": 9, "comment": "ok\x1b]8;;evil\x07"})

    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert not Response.objects.exists()


def test_the_public_answer_form_keeps_a_comment_of_several_lines(client: Client) -> None:
    invitation = InvitationFactory()

    response = client.post(_answer_url(invitation), {"score": 9, "comment": "Fast.\r\nFriendly."})

    assert response.status_code == 303
    assert Response.objects.get().comment == "Fast.\r\nFriendly."


def test_a_staff_comment_on_a_follow_up_refuses_a_direction_override(marketer_client) -> None:
    answer = ResponseFactory(score=2)
    item = FollowUp.objects.create(account=answer.account, response=answer, reasons="detractor")
    url = reverse("surveys:follow-up-detail", args=[item.pk])

    response = marketer_client.post(url, {"action": "comment", "body": "Called \u202eback"})

    assert response.status_code == 200
    assert response.context["comment_form"].errors == {"body": [REFUSED]}
    assert not item.comments.exists()


def test_stored_text_with_such_characters_still_loads_and_shows(viewer_client: Client) -> None:
    # Validators run on input, never on read: rows imported before the rule keep working.
    account = AccountFactory(name="Old\u202e import")
    ContactFactory(account=account, first_name=HEADER_INJECTION)

    page = viewer_client.get(account.get_absolute_url())

    assert page.status_code == 200
    assert Account.objects.get(pk=account.pk).name == "Old\u202e import"


# --- JSON nesting on every API write ---------------------------------------------------------


def _objects() -> dict[str, int]:
    account = AccountFactory()
    return {
        "account": account.pk,
        "contact": ContactFactory(account=account).pk,
        "subscription": SubscriptionFactory(account=account).pk,
    }


# (method, URL name, URL argument): every write the router's viewsets take.
WRITES = [
    ("post", "account-list", None),
    ("put", "account-detail", "account"),
    ("patch", "account-detail", "account"),
    ("post", "contact-list", None),
    ("put", "contact-detail", "contact"),
    ("patch", "contact-detail", "contact"),
    ("post", "subscription-list", None),
    ("put", "subscription-detail", "subscription"),
    ("patch", "subscription-detail", "subscription"),
    ("post", "event-list", None),
]


def test_the_list_of_writes_is_every_write_of_the_api() -> None:
    found = set()
    for _prefix, viewset, basename in api_urls.router.registry:
        if hasattr(viewset, "create"):
            found.add(("post", f"{basename}-list", None))
        if hasattr(viewset, "update"):
            found |= {(m, f"{basename}-detail", basename) for m in ("put", "patch")}
    # The metrics views only read.
    assert all(not hasattr(view, "post") for view in _metric_views())
    assert found == set(WRITES)


def _metric_views() -> list[type]:
    return [pattern.callback.view_class for pattern in api_urls.urlpatterns[:4]]


def _url(name: str, argument: str | None, objects: dict[str, int]) -> str:
    return reverse(name, args=[objects[argument]] if argument else [])


@pytest.mark.parametrize(("method", "name", "argument"), WRITES)
@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000,  # Python's decoder would raise RecursionError
        "{" + '"a":{' * 100_000,
        json.dumps({"data": json.loads("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))}),
        '{"name": "\\ud800", "type": "x"}',  # half a surrogate pair
    ],
    ids=["arrays", "objects", "just-too-deep", "lone-surrogate"],
)
def test_hostile_json_is_a_400_on_every_write(
    admin_user, method: str, name: str, argument: str | None, body: str
) -> None:
    url = _url(name, argument, _objects())

    response = getattr(_api(admin_user), method)(url, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_an_event_with_an_ordinary_nested_object_is_recorded(marketer) -> None:
    contact = CustomerContactFactory()
    data = {"ticket": {"id": 7, "tags": [["billing", {"priority": 1}]]}}

    response = _api(marketer).post(
        "/api/v1/events/",
        {"type": "ticket_closed", "contact": contact.pk, "data": data},
        format="json",
    )

    assert response.status_code == 201
    assert Event.objects.get().data == data


def test_depth_is_measured_without_recursion() -> None:
    deep: list = []
    for _ in range(200_000):
        deep = [deep]

    assert nesting_depth(deep) == 200_001
    assert nesting_depth({"a": [1, {"b": []}]}) == 4
    assert nesting_depth("text") == 0
    assert has_lone_surrogate({"\udc00": 1})
    assert not has_lone_surrogate({"emoji": ["😀", "ok"]})


# --- Strict booleans in the API's filters ----------------------------------------------------


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/accounts/", "referenceable"),
        ("/api/v1/contacts/", "is_primary"),
        ("/api/v1/contacts/", "email_consent"),
        ("/api/v1/responses/", "has_comment"),
        ("/api/v1/invitations/", "answered"),
    ],
)
@pytest.mark.parametrize("value", ["maybe", "yes", "2", "-1", "on", "truee"])
def test_a_boolean_filter_refuses_anything_but_true_or_false(
    viewer, url: str, name: str, value: str
) -> None:
    response = _api(viewer).get(url, {name: value})

    assert response.status_code == 400
    assert response.json() == {name: ["Give true or false."]}


def test_a_boolean_filter_filters_on_true_and_false(viewer) -> None:
    AccountFactory(name="Ref", referenceable=True)
    AccountFactory(name="Not", referenceable=False)

    def names(value: str) -> list[str]:
        response = _api(viewer).get("/api/v1/accounts/", {"referenceable": value})
        return [row["name"] for row in response.json()["results"]]

    assert (names("true"), names("False"), names("")) == (["Ref"], ["Not"], ["Not", "Ref"])


def test_the_accounts_page_shows_a_bad_boolean_as_a_form_error(viewer_client: Client) -> None:
    AccountFactory(name="Ref", referenceable=True)

    page = viewer_client.get("/accounts/", {"referenceable": "maybe"})

    assert page.status_code == 200
    assert page.context["filter"].errors == {"referenceable": ["Give true or false."]}


# --- Dates in filters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "name", "value"),
    [
        ("/api/v1/responses/", "submitted_after", "0001-01-01T00:00:00+14:00"),
        ("/api/v1/responses/", "submitted_before", "9999-12-31T23:59:59-12:00"),
        ("/api/v1/invitations/", "created_before", "9999-12-31T23:59:59-14:00"),
        ("/api/v1/events/", "occurred_after", "0001-01-01T00:00:00+14:00"),
        ("/api/v1/subscriptions/", "active_on", "0001-01-01"),
    ],
)
def test_a_date_filter_refuses_years_that_would_overflow_the_query(
    viewer, url: str, name: str, value: str
) -> None:
    response = _api(viewer).get(url, {name: value})

    assert response.status_code == 400
    assert response.json() == {name: ["Give a date in the years 1900 to 2100."]}


def test_the_answers_page_shows_an_out_of_range_day_as_a_form_error(
    viewer_client: Client, settings
) -> None:
    settings.TIME_ZONE = "Asia/Tokyo"  # ahead of UTC: its 1 January of year 1 is year 0 in UTC
    ResponseFactory()

    page = viewer_client.get("/surveys/responses/", {"start": "0001-01-01"})
    download = viewer_client.get("/surveys/responses.csv", {"start": "0001-01-01"})

    assert page.status_code == 200
    assert page.context["filter"].errors == {"start": ["Give a date in the years 1900 to 2100."]}
    assert download.status_code == 200
