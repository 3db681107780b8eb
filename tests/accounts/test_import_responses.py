"""`import_crm --responses`: survey history from another tool (docs/import.md).

Upserted by external_id like the other files, all or nothing; the rows count in the metrics
but open no follow-up and alert no owner.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from accounts.importer import import_crm
from accounts.models import Account, Contact
from campaigns.models import Message
from surveys.models import FollowUp, Response, Survey
from tests.accounts.test_import import csv_file, failing_import, run_import
from tests.factories import AccountFactory, ContactFactory, survey

RESPONSES = "external_id,contact_external_id,survey_kind,score,comment,submitted_at"
NOT_ISO = "is not an ISO 8601 date and time such as 2024-05-17T14:30:00+02:00"


@pytest.fixture
def contact(db) -> Contact:
    account = AccountFactory(external_id="acme")
    return ContactFactory(account=account, external_id="c1", language="es")


def responses_file(tmp_path: Path, *rows: str, header: str = RESPONSES) -> str:
    return csv_file(tmp_path, "responses.csv", header, *rows)


def imported(external_id: str) -> Response:
    return Response.objects.select_related("survey").get(external_id=external_id)


# --- Valid files ------------------------------------------------------------------------------


def test_it_creates_responses_of_each_kind_for_the_contact(tmp_path: Path, contact: Contact):
    path = responses_file(
        tmp_path,
        "r1,c1,nps,0,Nunca más,2024-05-17T14:30:00+02:00",
        "r2,c1,csat,5,,2024-05-18T09:00:00Z",
        "r3,c1,CES,7,Easy,2024-05-19T10:00:00+00:00",
    )

    out = run_import(responses=path)

    assert "responses: 3 created, 0 updated" in out
    nps = imported("r1")
    assert (nps.kind, nps.score, nps.comment) == ("nps", 0, "Nunca más")
    assert nps.survey == survey("nps")
    assert (nps.contact, nps.account) == (contact, contact.account)
    assert (nps.source, nps.invitation, nps.language) == ("import", None, "es")
    assert nps.submitted_at == dt.datetime(2024, 5, 17, 12, 30, tzinfo=dt.UTC)
    assert (imported("r2").survey, imported("r2").score) == (survey("csat"), 5)
    assert (imported("r3").survey, imported("r3").kind) == (survey("ces"), "ces")


@pytest.mark.parametrize(
    ("value", "expected_utc"),
    [
        ("2024-01-15T10:00:00", dt.datetime(2024, 1, 15, 9, 0, tzinfo=dt.UTC)),  # CET
        ("2024-07-15 10:00", dt.datetime(2024, 7, 15, 8, 0, tzinfo=dt.UTC)),  # CEST
        ("2024-07-15", dt.datetime(2024, 7, 14, 22, 0, tzinfo=dt.UTC)),
        ("2024-07-15T10:00:00Z", dt.datetime(2024, 7, 15, 10, 0, tzinfo=dt.UTC)),
        ("2024-07-15T10:00:00-05:00", dt.datetime(2024, 7, 15, 15, 0, tzinfo=dt.UTC)),
    ],
)
def test_a_time_without_offset_is_read_in_the_site_time_zone(
    tmp_path: Path, contact: Contact, settings, value: str, expected_utc: dt.datetime
):
    settings.TIME_ZONE = "Europe/Madrid"
    path = responses_file(tmp_path, f"r1,c1,nps,9,,{value}")

    run_import(responses=path)

    assert imported("r1").submitted_at == expected_utc


def test_it_updates_a_response_with_the_same_external_id(tmp_path: Path, contact: Contact):
    run_import(responses=responses_file(tmp_path, "r1,c1,nps,3,Slow,2024-05-17T10:00:00Z"))
    header = "external_id,contact_external_id,survey_kind,score,submitted_at"
    second = csv_file(tmp_path, "again.csv", header, "r1,c1,nps,8,2024-05-17T10:00:00Z")

    out = run_import(responses=second)

    assert "responses: 0 created, 1 updated" in out
    assert Response.objects.count() == 1
    # The comment column is absent from the second file, so the comment is kept.
    assert (imported("r1").score, imported("r1").comment) == (8, "Slow")


def test_a_responses_contact_may_come_from_the_same_runs_contacts_file(tmp_path: Path, db):
    accounts = csv_file(tmp_path, "accounts.csv", "external_id,name", "new-acc,Newco")
    contacts = csv_file(
        tmp_path,
        "contacts.csv",
        "external_id,account_external_id,email,language",
        "new-c,new-acc,ana@newco.test,ru",
    )
    responses = responses_file(tmp_path, "r1,new-c,csat,4,,2024-05-17T10:00:00Z")

    run_import(accounts=accounts, contacts=contacts, responses=responses)

    response = imported("r1")
    assert response.contact == Contact.objects.get(external_id="new-c")
    assert response.account == Account.objects.get(external_id="new-acc")
    assert response.language == "ru"


def test_a_long_language_tag_is_kept_as_its_primary_language(tmp_path: Path, db):
    ContactFactory(external_id="c1", language="zh-Hant-TW")

    run_import(responses=responses_file(tmp_path, "r1,c1,nps,9,,2024-05-17T10:00:00Z"))

    assert imported("r1").language == "zh"


def test_imported_history_opens_no_follow_up_and_alerts_no_owner(
    tmp_path: Path, contact: Contact, django_capture_on_commit_callbacks
):
    path = responses_file(
        tmp_path,
        "r1,c1,nps,10,,2024-04-01T10:00:00Z",
        "r2,c1,nps,0,Terrible,2024-05-01T10:00:00Z",  # a detractor, and a drop of 10
        "r3,c1,csat,1,Angry,2024-05-02T10:00:00Z",
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_import(responses=path)

    assert Response.objects.count() == 3
    assert not FollowUp.objects.exists()
    assert callbacks == []
    assert not Message.objects.exists()  # no owner alert was queued


def test_imported_responses_count_in_the_metrics(tmp_path: Path, contact: Contact):
    path = responses_file(
        tmp_path,
        "r1,c1,nps,0,,2024-05-03T10:00:00Z",
        "r2,c1,nps,10,,2024-05-04T10:00:00Z",
        "r3,c1,nps,9,,2024-05-05T10:00:00Z",
        "r4,c1,csat,5,,2024-05-06T10:00:00Z",
        "r5,c1,nps,10,,2024-06-06T10:00:00Z",  # after the period
    )
    run_import(responses=path)
    out = io.StringIO()

    call_command("metrics", "--start", "2024-05-01", "--end", "2024-06-01", "--json", stdout=out)

    metrics = json.loads(out.getvalue())
    assert (metrics["nps_responses"], metrics["promoters"], metrics["detractors"]) == (3, 2, 1)
    assert metrics["nps"] == pytest.approx(33.3)
    assert metrics["csat_responses"] == 1


def test_a_dry_run_checks_the_responses_and_writes_nothing(tmp_path: Path, contact: Contact):
    path = responses_file(tmp_path, "r1,c1,nps,0,,2024-05-17T10:00:00Z")

    out = run_import(responses=path, dry_run=True)

    assert "responses: 1 to create, 0 to update" in out
    assert not Response.objects.exists()


def test_the_result_names_responses_only_when_a_responses_file_was_given(contact: Contact):
    accounts = io.BytesIO(b"external_id,name\na1,Acme\n")
    responses = io.BytesIO(f"{RESPONSES}\nr1,c1,nps,7,,2024-05-17\n".encode())

    without = import_crm(sources={"accounts": ("a.csv", accounts)}, dry_run=True)
    with_responses = import_crm(sources={"responses": ("r.csv", responses)}, dry_run=True)

    assert "responses" not in without.created
    assert with_responses.created == {
        "accounts": 0,
        "contacts": 0,
        "subscriptions": 0,
        "responses": 1,
    }


# --- Invalid files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ("nps,11", "score", "must be between 0 and 10 for nps"),
        ("nps,-1", "score", "must be between 0 and 10 for nps"),
        ("csat,0", "score", "must be between 1 and 5 for csat"),
        ("csat,6", "score", "must be between 1 and 5 for csat"),
        ("ces,8", "score", "must be between 1 and 7 for ces"),
        ("nps,7.5", "score", "is not a whole number"),
        ("nps,ten", "score", "is not a whole number"),
        ("nps,", "score", "is required"),
        ("poll,3", "survey_kind", "must be nps, csat or ces"),
        (",3", "survey_kind", "must be nps, csat or ces"),
    ],
)
def test_it_rejects_a_score_outside_the_kinds_scale_or_a_bad_kind(
    tmp_path: Path, contact: Contact, cells: str, column: str, reason: str
):
    path = responses_file(tmp_path, f"r1,c1,{cells},,2024-05-17T10:00:00Z")

    errors = failing_import(responses=path)

    assert errors == [f"{path}:2: {column}: {reason}"]
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("17/05/2024", NOT_ISO),
        ("2024-02-30T10:00:00", NOT_ISO),
        ("2024-05-17T25:00", NOT_ISO),
        ("0001-01-01T00:00:00+05:00", NOT_ISO),
        ("1850-01-01", "is before 1900"),
        ("2204-05-17T10:00:00Z", "is in the future"),
        ("9999-12-31T23:59:59-05:00", NOT_ISO),
        ("", "is required"),
    ],
)
def test_it_rejects_a_bad_submission_time(
    tmp_path: Path, contact: Contact, value: str, reason: str
):
    path = responses_file(tmp_path, f"r1,c1,nps,9,,{value}")

    errors = failing_import(responses=path)

    assert errors == [f"{path}:2: submitted_at: {reason}"]


def test_it_rejects_a_response_of_an_unknown_contact(tmp_path: Path, contact: Contact):
    path = responses_file(
        tmp_path, "r1,c1,nps,9,,2024-05-17T10:00:00Z", "r2,ghost,nps,9,,2024-05-17T10:00:00Z"
    )

    errors = failing_import(responses=path)

    assert errors == [
        f"{path}:3: contact_external_id: no contact has this external_id, "
        "in the database or the contacts file"
    ]
    assert not Response.objects.exists()


def test_it_rejects_a_kind_whose_default_survey_is_gone(tmp_path: Path, contact: Contact):
    Survey.objects.filter(slug="ces").update(slug="ces-old")
    path = responses_file(tmp_path, "r1,c1,ces,5,,2024-05-17T10:00:00Z")

    errors = failing_import(responses=path)

    assert errors == [f"{path}:2: survey_kind: there is no survey with the slug ces"]


def test_it_rejects_unknown_and_missing_columns(tmp_path: Path, contact: Contact):
    path = responses_file(
        tmp_path,
        "r1,c1,9,,2024-05-17T10:00:00Z,yes",
        header="external_id,contact_external_id,score,comment,submitted_at,would_recommend",
    )

    errors = failing_import(responses=path)

    assert errors[0].startswith(f"{path}:1: would_recommend: unknown column")
    assert errors[1:] == [f"{path}:1: survey_kind: required column is missing"]


def test_it_rejects_an_external_id_twice_in_the_file(tmp_path: Path, contact: Contact):
    path = responses_file(
        tmp_path, "r1,c1,nps,9,,2024-05-17T10:00:00Z", "r1,c1,nps,3,,2024-05-18T10:00:00Z"
    )

    errors = failing_import(responses=path)

    assert errors == [f"{path}:3: external_id: duplicate of line 2"]


def test_a_bad_response_row_imports_nothing_from_any_file_of_the_run(tmp_path: Path, db):
    accounts = csv_file(tmp_path, "accounts.csv", "external_id,name", "a1,Acme")
    contacts = csv_file(
        tmp_path, "contacts.csv", "external_id,account_external_id,email", "c1,a1,ana@acme.test"
    )
    responses = responses_file(
        tmp_path, "r1,c1,nps,9,,2024-05-17T10:00:00Z", "r2,c1,nps,12,,2024-05-17T10:00:00Z"
    )

    errors = failing_import(accounts=accounts, contacts=contacts, responses=responses)

    assert errors == [f"{responses}:3: score: must be between 0 and 10 for nps"]
    assert not Account.objects.exists()
    assert not Contact.objects.exists()
    assert not Response.objects.exists()


# --- The upload page ------------------------------------------------------------------------


def test_a_marketer_uploads_responses_on_the_import_page(marketer_client, contact: Contact):
    upload = SimpleUploadedFile(
        "responses.csv", f"{RESPONSES}\nr1,c1,nps,0,,2024-05-17T10:00:00Z\n".encode()
    )

    page = marketer_client.post("/accounts/import/", {"responses": upload})

    assert page.status_code == 200
    assert "Import finished." in page.content.decode()
    assert imported("r1").score == 0


def test_the_import_page_lists_a_bad_response_line(marketer_client, contact: Contact):
    upload = SimpleUploadedFile(
        "responses.csv", f"{RESPONSES}\nr1,c1,csat,9,,2024-05-17T10:00:00Z\n".encode()
    )

    page = marketer_client.post("/accounts/import/", {"responses": upload}).content.decode()

    assert "responses.csv:2: score: must be between 1 and 5 for csat" in page
    assert not Response.objects.exists()
