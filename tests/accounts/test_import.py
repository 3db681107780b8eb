"""`import_crm`: CSV upsert by external_id, all files of a run or nothing (docs/import.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.importer import ImportResult, RowError, import_crm, kinds, schema_of
from accounts.models import Account, Contact, Subscription
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory, UserFactory

ACCOUNTS = "external_id,name,industry,employees,country,owner_email,referenceable"
CONTACTS = (
    "external_id,account_external_id,first_name,last_name,email,birthday,language,timezone,"
    "is_primary"
)
SUBSCRIPTIONS = (
    "external_id,account_external_id,plan,mrr,quantity,started_on,ended_on,cancel_type,"
    "cancel_reason"
)


def csv_file(tmp_path: Path, name: str, *lines: str) -> str:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def run_import(**options: object) -> str:
    out = io.StringIO()
    call_command("import_crm", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def failing_import(**options: object) -> list[str]:
    """Run an import that must fail; return the error lines it printed."""
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_crm", stdout=io.StringIO(), stderr=err, **options)
    assert failure.value.returncode == 1
    assert "nothing was imported" in str(failure.value)
    return err.getvalue().splitlines()


def counts() -> tuple[int, int, int]:
    return Account.objects.count(), Contact.objects.count(), Subscription.objects.count()


# --- Valid files ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_creates_accounts_contacts_and_subscriptions(tmp_path: Path) -> None:
    owner = UserFactory(email="Owner@Example.com")
    accounts = csv_file(
        tmp_path, "accounts.csv", ACCOUNTS, "a1,Acme,Software,120,es,owner@example.COM,yes"
    )
    contacts = csv_file(
        tmp_path,
        "contacts.csv",
        CONTACTS,
        "c1,a1,Ana,Ruiz,ana@acme.test,1990-05-17,es,Europe/Madrid,true",
    )
    subscriptions = csv_file(
        tmp_path,
        "subscriptions.csv",
        SUBSCRIPTIONS,
        "s1,a1,Pro,49.9,3,2024-01-01,2024-07-01,voluntary,Too expensive",
    )

    out = run_import(accounts=accounts, contacts=contacts, subscriptions=subscriptions)

    assert "accounts: 1 created, 0 updated" in out
    account = Account.objects.get(external_id="a1")
    assert (account.name, account.industry, account.employees) == ("Acme", "Software", 120)
    assert (account.country, account.owner, account.referenceable) == ("ES", owner, True)
    contact = Contact.objects.get(external_id="c1")
    assert contact.account == account
    assert (contact.birth_year, contact.birth_month, contact.birth_day) == (1990, 5, 17)
    assert (contact.language, contact.timezone, contact.is_primary) == ("es", "Europe/Madrid", True)
    subscription = Subscription.objects.get(external_id="s1")
    assert subscription.account == account
    assert (subscription.mrr, subscription.quantity) == (Decimal("49.90"), 3)
    assert subscription.ended_on == dt.date(2024, 7, 1)
    assert (subscription.cancel_type, subscription.cancel_reason) == ("voluntary", "Too expensive")


@pytest.mark.django_db
def test_it_updates_rows_with_the_same_external_id_instead_of_duplicating(tmp_path: Path) -> None:
    first = csv_file(tmp_path, "v1.csv", "external_id,name", "a1,Acme", "a2,Globex")
    second = csv_file(tmp_path, "v2.csv", "external_id,name", "a1,Acme Corp", "a3,Initech")
    run_import(accounts=first)

    out = run_import(accounts=second)

    assert "accounts: 1 created, 1 updated" in out
    assert Account.objects.count() == 3
    assert Account.objects.get(external_id="a1").name == "Acme Corp"


@pytest.mark.django_db
def test_it_keeps_fields_whose_column_is_not_in_the_file(tmp_path: Path) -> None:
    AccountFactory(external_id="a1", industry="Retail", country="FR")
    path = csv_file(tmp_path, "accounts.csv", "external_id,name", "a1,Renamed")

    run_import(accounts=path)

    account = Account.objects.get(external_id="a1")
    assert (account.name, account.industry, account.country) == ("Renamed", "Retail", "FR")


@pytest.mark.django_db
def test_it_accepts_a_contact_of_an_account_that_only_the_same_run_creates(
    tmp_path: Path,
) -> None:
    accounts = csv_file(tmp_path, "accounts.csv", "external_id,name", "new-1,Newco")
    contacts = csv_file(
        tmp_path, "contacts.csv", "external_id,account_external_id,email", "c1,new-1,a@newco.test"
    )
    subscriptions = csv_file(
        tmp_path,
        "subs.csv",
        "external_id,account_external_id,mrr,started_on",
        "s1,new-1,10,2024-01-01",
    )

    run_import(accounts=accounts, contacts=contacts, subscriptions=subscriptions)

    account = Account.objects.get(external_id="new-1")
    assert Contact.objects.get(external_id="c1").account == account
    assert Subscription.objects.get(external_id="s1").account == account


@pytest.mark.django_db
def test_it_accepts_a_byte_order_mark_and_crlf_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_bytes("external_id,name\r\na1,Café\r\n".encode("utf-8-sig"))

    run_import(accounts=str(path))

    assert Account.objects.get(external_id="a1").name == "Café"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1990-05-17", (1990, 5, 17)),
        ("--12-24", (None, 12, 24)),
        ("--02-29", (None, 2, 29)),
        ("", (None, None, None)),
    ],
)
def test_it_reads_birthdays_with_and_without_the_year(
    tmp_path: Path, value: str, expected: tuple[int | None, ...]
) -> None:
    AccountFactory(external_id="a1")
    path = csv_file(
        tmp_path,
        "contacts.csv",
        "external_id,account_external_id,email,birthday",
        f"c1,a1,ana@acme.test,{value}",
    )

    run_import(contacts=path)

    contact = Contact.objects.get(external_id="c1")
    assert (contact.birth_year, contact.birth_month, contact.birth_day) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("YES", True), ("1", True), ("false", False), ("no", False), ("0", False)],
)
def test_it_reads_boolean_words(tmp_path: Path, value: str, expected: bool) -> None:
    path = csv_file(tmp_path, "a.csv", "external_id,name,referenceable", f"a1,Acme,{value}")

    run_import(accounts=path)

    assert Account.objects.get(external_id="a1").referenceable is expected


@pytest.mark.django_db
def test_it_counts_a_record_whose_quoted_cell_spans_lines_from_its_first_line(
    tmp_path: Path,
) -> None:
    # A line break is fine in free text such as a cancellation reason (never in a name).
    AccountFactory(external_id="a1")
    path = csv_file(
        tmp_path,
        "s.csv",
        "external_id,account_external_id,mrr,started_on,cancel_reason",
        's1,a1,10,2024-01-01,"Too',
        'dear"',
        "s2,a1,10,2024-01-01,ok",
        "s3,a1,10,2024-01-01,ok,extra",
    )

    errors = failing_import(subscriptions=path)

    assert errors == [f"{path}:5: (row): has 6 cells but the header has 5"]


# --- Dry run ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_dry_run_writes_nothing_and_says_what_it_would_do(tmp_path: Path) -> None:
    AccountFactory(external_id="a1", name="Old")
    path = csv_file(tmp_path, "accounts.csv", "external_id,name", "a1,New", "a2,Other")

    out = run_import(accounts=path, dry_run=True)

    assert "accounts: 1 to create, 1 to update" in out
    assert "Dry run" in out
    assert list(Account.objects.values_list("external_id", "name")) == [("a1", "Old")]


@pytest.mark.django_db
def test_a_dry_run_still_fails_on_an_invalid_row(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "accounts.csv", "external_id,name,country", "a1,Acme,Spain")

    errors = failing_import(accounts=path, dry_run=True)

    assert errors == [f"{path}:2: country: is not a two-letter country code such as US"]


def test_the_importer_reports_counts_for_uploaded_streams(db: None) -> None:
    # The upload page calls import_crm() with the uploaded file's name and binary stream.
    upload = io.BytesIO(b"external_id,name\na1,Acme\n")

    result = import_crm(sources={"accounts": ("accounts.csv", upload)}, dry_run=True)

    assert isinstance(result, ImportResult)
    assert (result.ok, result.dry_run, result.errors) == (True, True, [])
    assert result.created == {"accounts": 1, "contacts": 0, "subscriptions": 0}
    assert result.updated == {"accounts": 0, "contacts": 0, "subscriptions": 0}


# --- Invalid files: nothing is written, every error is listed ---------------------------------


@pytest.mark.django_db
def test_it_rejects_a_malformed_subscriptions_file_and_leaves_the_database_unchanged(
    tmp_path: Path,
) -> None:
    """The issue's acceptance scenario: a bad date on line 7, a negative MRR on line 12."""
    account = AccountFactory(external_id="acme")
    existing = SubscriptionFactory(account=account, external_id="sub-1", mrr=Decimal("100.00"))
    rows = [f"sub-{n},acme,Pro,{n}0.00,1,2024-01-01,,," for n in range(1, 12)]
    rows[0] = "sub-1,acme,Pro,999.00,1,2024-01-01,,,"  # would change the existing row
    rows[5] = "sub-6,acme,Pro,60.00,1,2024-02-30,,,"  # line 7
    rows[10] = "sub-11,acme,Pro,-5.00,1,2024-01-01,,,"  # line 12
    path = csv_file(tmp_path, "subscriptions.csv", SUBSCRIPTIONS, *rows)
    before = counts()

    errors = failing_import(subscriptions=path)

    assert errors == [
        f"{path}:7: started_on: is not a real date",
        f"{path}:12: mrr: must not be negative",
    ]
    assert counts() == before
    existing.refresh_from_db()
    assert existing.mrr == Decimal("100.00")


@pytest.mark.django_db
def test_it_imports_nothing_when_another_file_of_the_run_is_invalid(tmp_path: Path) -> None:
    accounts = csv_file(tmp_path, "accounts.csv", "external_id,name", "a1,Acme")
    contacts = csv_file(
        tmp_path, "contacts.csv", "external_id,account_external_id,email", "c1,a1,not-an-email"
    )

    errors = failing_import(accounts=accounts, contacts=contacts)

    assert errors == [f"{contacts}:2: email: is not a valid email address"]
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_it_rejects_an_unknown_column_against_the_header_line(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "accounts.csv", "external_id,name,colour", "a1,Acme,red")

    errors = failing_import(accounts=path)

    assert len(errors) == 1
    assert errors[0].startswith(f"{path}:1: colour: unknown column")
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_it_rejects_a_file_without_a_required_column(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "subs.csv", "external_id,account_external_id,mrr", "s1,a1,10")

    errors = failing_import(subscriptions=path)

    assert errors == [f"{path}:1: started_on: required column is missing"]


@pytest.mark.django_db
def test_it_rejects_a_subscription_of_an_unknown_account(tmp_path: Path) -> None:
    AccountFactory(external_id="known")
    path = csv_file(
        tmp_path,
        "subs.csv",
        "external_id,account_external_id,mrr,started_on",
        "s1,known,10,2024-01-01",
        "s2,ghost,10,2024-01-01",
    )

    errors = failing_import(subscriptions=path)

    assert errors == [
        f"{path}:3: account_external_id: no account has this external_id, "
        "in the database or the accounts file"
    ]
    assert not Subscription.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("email", "ana@", "is not a valid email address"),
        ("email", "", "is required"),
        ("timezone", "Mars/Olympus", "is not an IANA time zone such as Europe/Madrid"),
        ("language", "english!", "is not an IETF language tag such as en, es or pt-BR"),
        ("birthday", "--02-30", "is not a real date"),
        ("birthday", "1990-02-30", "is not a real date"),
        ("birthday", "17/05/1990", "is not a date in YYYY-MM-DD or --MM-DD form"),
        ("is_primary", "maybe", "must be true, false, 1, 0, yes, no or empty"),
    ],
)
def test_it_rejects_an_invalid_contact_cell(
    tmp_path: Path, column: str, value: str, reason: str
) -> None:
    AccountFactory(external_id="a1")
    cells = {"external_id": "c1", "account_external_id": "a1", "email": "ana@acme.test"}
    cells[column] = value
    path = csv_file(tmp_path, "contacts.csv", ",".join(cells), ",".join(cells.values()))

    errors = failing_import(contacts=path)

    assert errors == [f"{path}:2: {column}: {reason}"]
    assert not Contact.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "column", "value"),
    [
        ("contacts", "language", "zh-Hant-TW"),
        ("contacts", "language", "english!"),
        ("contacts", "language", "en-abcdefghi"),
        ("contacts", "timezone", "Europe/Madrid"),
        ("contacts", "timezone", "europe/madrid"),
        ("contacts", "birthday", "--02-29"),
        ("contacts", "birthday", "--02-30"),
        ("contacts", "birthday", "0000-04-23"),
        ("contacts", "birthday", "1990-4-23"),
        ("accounts", "country", "ES"),  # the CSV also takes "es"; the API wants capitals
        ("accounts", "country", "ESP"),
        ("accounts", "country", "ß"),
    ],
)
def test_the_csv_and_the_api_accept_the_same_values(
    marketer: object, kind: str, column: str, value: str
) -> None:
    account = AccountFactory(external_id="a1")
    base = {"external_id": "c1", "account_external_id": "a1", "email": "ana@acme.test"}
    if kind == "accounts":
        base = {"external_id": "a2", "name": "Acme"}
    cells = {**base, column: value}
    upload = io.BytesIO(f"{','.join(cells)}\n{','.join(cells.values())}\n".encode())
    payload = {"account": account.pk, "email": "ana@acme.test", column: value}
    if kind == "accounts":
        payload = {"name": "Acme", column: value}
    api = APIClient()
    api.force_authenticate(marketer)

    in_csv = import_crm(sources={kind: (f"{kind}.csv", upload)}, dry_run=True).ok
    in_api = api.post(f"/api/v1/{kind}/", payload, format="json").status_code == 201

    assert in_csv == in_api


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("country", "ESP", "is not a two-letter country code such as US"),
        ("country", "ß", "is not a two-letter country code such as US"),
        ("employees", "many", "is not a whole number"),
        ("employees", "-3", "must not be negative"),
        ("owner_email", "nobody@example.com", "no user has this email"),
        ("name", "", "is required"),
    ],
)
def test_it_rejects_an_invalid_account_cell(
    tmp_path: Path, column: str, value: str, reason: str
) -> None:
    cells = {"external_id": "a1", "name": "Acme", column: value}
    path = csv_file(tmp_path, "accounts.csv", ",".join(cells), ",".join(cells.values()))

    errors = failing_import(accounts=path)

    assert errors == [f"{path}:2: {column}: {reason}"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ({"mrr": "12.345"}, "mrr", "has more than 2 decimal places"),
        (
            {"mrr": '"12,50"'},
            "mrr",
            "is not a number (write it like 49.90, with a dot and no symbols)",
        ),
        ({"mrr": "1e3"}, "mrr", "is not a number (write it like 49.90, with a dot and no symbols)"),
        ({"quantity": "2.5"}, "quantity", "is not a whole number"),
        ({"started_on": "2024-1-5"}, "started_on", "is not a date in YYYY-MM-DD form"),
        ({"ended_on": "2023-12-31"}, "ended_on", "must be after started_on"),
        ({"ended_on": "2024-01-01"}, "ended_on", "must be after started_on"),
        ({"cancel_type": "voluntary"}, "cancel_type", "is only allowed when ended_on is given"),
        ({"cancel_type": "angry", "ended_on": "2024-02-01"}, "cancel_type", "must be voluntary"),
    ],
)
def test_it_rejects_an_invalid_subscription_cell(
    tmp_path: Path, cells: dict[str, str], column: str, reason: str
) -> None:
    AccountFactory(external_id="a1")
    row = {
        "external_id": "s1",
        "account_external_id": "a1",
        "mrr": "10",
        "started_on": "2024-01-01",
    }
    row |= cells
    path = csv_file(tmp_path, "subs.csv", ",".join(row), ",".join(row.values()))

    errors = failing_import(subscriptions=path)

    assert len(errors) == 1
    assert errors[0].startswith(f"{path}:2: {column}: {reason}")


@pytest.mark.django_db
def test_it_rejects_an_external_id_that_appears_twice_in_a_file(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "accounts.csv", "external_id,name", "a1,Acme", "a2,B", "a1,Again")

    errors = failing_import(accounts=path)

    assert errors == [f"{path}:4: external_id: duplicate of line 2"]


@pytest.mark.django_db
def test_it_rejects_two_contacts_of_one_account_with_the_same_email_in_a_file(
    tmp_path: Path,
) -> None:
    AccountFactory(external_id="a1")
    AccountFactory(external_id="a2")
    path = csv_file(
        tmp_path,
        "contacts.csv",
        "external_id,account_external_id,email",
        "c1,a1,ana@acme.test",
        "c2,a2,ana@acme.test",  # another account may share it
        "c3,a1,ANA@acme.test",
    )

    errors = failing_import(contacts=path)

    assert errors == [f"{path}:4: email: account a1 already has a contact with this email (line 2)"]


@pytest.mark.django_db
def test_it_rejects_a_contact_whose_email_another_contact_of_the_account_has(
    tmp_path: Path,
) -> None:
    account = AccountFactory(external_id="a1")
    ContactFactory(account=account, external_id="old", email="Ana@Acme.test")
    path = csv_file(
        tmp_path,
        "contacts.csv",
        "external_id,account_external_id,email",
        "old,a1,ana@acme.test",  # the same contact again: an update, not a clash
        "new,a1,ana@acme.test",
    )

    errors = failing_import(contacts=path)

    assert errors == [f"{path}:3: email: account a1 already has a contact with this email (line 2)"]


@pytest.mark.django_db
def test_it_rejects_a_new_contact_with_the_email_of_a_contact_in_the_database(
    tmp_path: Path,
) -> None:
    account = AccountFactory(external_id="a1")
    ContactFactory(account=account, external_id="old", email="Ana@Acme.test")
    path = csv_file(
        tmp_path, "contacts.csv", "external_id,account_external_id,email", "new,a1,ana@acme.test"
    )

    errors = failing_import(contacts=path)

    assert errors == [
        f"{path}:2: email: account a1 already has a contact with this email (contact old)"
    ]


@pytest.mark.django_db
def test_it_matches_the_owner_email_without_regard_to_case(tmp_path: Path) -> None:
    owner = UserFactory(email="Sales.Lead@Example.com")
    path = csv_file(
        tmp_path, "a.csv", "external_id,name,owner_email", "a1,Acme,sales.lead@EXAMPLE.com"
    )

    run_import(accounts=path)

    assert Account.objects.get(external_id="a1").owner == owner


@pytest.mark.django_db
def test_it_rejects_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_bytes("external_id,name\na1,Acme\na2,Café\n".encode("latin-1"))

    errors = failing_import(accounts=str(path))

    assert errors == [f"{path}:3: (file): is not UTF-8 text; save it as CSV UTF-8"]
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_it_rejects_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_bytes(b"")

    errors = failing_import(accounts=str(path))

    assert errors == [f"{path}:1: (file): is empty; the first line must be the header row"]


@pytest.mark.django_db
def test_it_lists_the_errors_of_every_file_of_the_run(tmp_path: Path) -> None:
    accounts = csv_file(tmp_path, "accounts.csv", "external_id,name,country", "a1,Acme,Spain")
    subscriptions = csv_file(
        tmp_path,
        "subs.csv",
        "external_id,account_external_id,mrr,started_on",
        "s1,a1,-1,2024-01-01",
    )

    errors = failing_import(accounts=accounts, subscriptions=subscriptions)

    assert [error.split(": ")[0] for error in errors] == [f"{accounts}:2", f"{subscriptions}:2"]


@pytest.mark.django_db
def test_it_rolls_everything_back_when_the_database_refuses_a_row(tmp_path: Path) -> None:
    # Swapping two contacts' emails passes the checks row by row, but the first update
    # collides with the second contact's current email in the database.
    account = AccountFactory(external_id="a1", name="Acme")
    ContactFactory(account=account, external_id="c1", email="one@acme.test")
    ContactFactory(account=account, external_id="c2", email="two@acme.test")
    accounts = csv_file(tmp_path, "accounts.csv", "external_id,name", "a1,Renamed")
    contacts = csv_file(
        tmp_path,
        "contacts.csv",
        "external_id,account_external_id,email",
        "c1,a1,two@acme.test",
        "c2,a1,one@acme.test",
    )

    errors = failing_import(accounts=accounts, contacts=contacts)

    assert len(errors) == 1
    assert errors[0].startswith(f"{contacts}:2: (database): the database refused a row")
    assert Account.objects.get(external_id="a1").name == "Acme"
    assert Contact.objects.get(external_id="c1").email == "one@acme.test"


@pytest.mark.django_db
def test_it_explains_a_missing_file_without_a_traceback(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.csv")

    with pytest.raises(CommandError, match=r"nope\.csv: No such file or directory"):
        call_command("import_crm", accounts=missing, stdout=io.StringIO())


def test_it_needs_at_least_one_file() -> None:
    with pytest.raises(CommandError, match="at least one"):
        call_command("import_crm", stdout=io.StringIO())


# --- Through the real command line ---------------------------------------------------------


def manage_py(*args: str) -> subprocess.CompletedProcess[str]:
    # The test database is a file: the child reads it (committed rows only) while this
    # test's transaction stays open, which WAL mode allows.
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}"}
    return subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "import_crm", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="the child process reads the SQLite test database file",
)
def test_the_command_line_exits_1_and_prints_one_line_per_error(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "subs.csv",
        "external_id,account_external_id,mrr,started_on",
        "s1,nowhere,-1,2024-13-01",
    )
    missing = str(tmp_path / "missing.csv")

    invalid, absent = manage_py("--subscriptions", path), manage_py("--accounts", missing)

    assert invalid.returncode == 1
    assert invalid.stderr.splitlines()[:3] == [
        f"{path}:2: mrr: must not be negative",
        f"{path}:2: started_on: is not a real date",
        f"{path}:2: account_external_id: no account has this external_id, "
        "in the database or the accounts file",
    ]
    assert absent.returncode == 1
    assert "missing.csv: No such file or directory" in absent.stderr
    assert "Traceback" not in invalid.stderr + absent.stderr


# --- Properties ------------------------------------------------------------------------------

cell_text = st.text(max_size=30)


@pytest.mark.django_db
@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(sorted(kinds())),
    rows=st.lists(st.lists(cell_text, min_size=9, max_size=9), min_size=1, max_size=4),
)
def test_any_text_in_any_cell_gives_row_errors_never_an_exception(
    kind: str, rows: list[list[str]]
) -> None:
    header = list(schema_of(kind).columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(row[: len(header)] for row in rows)
    source = io.BytesIO(buffer.getvalue().encode("utf-8"))

    result = import_crm(sources={kind: (f"{kind}.csv", source)}, dry_run=True)

    assert all(isinstance(error, RowError) for error in result.errors)
    assert all(error.line >= 1 and str(error).startswith(f"{kind}.csv:") for error in result.errors)


@pytest.mark.django_db
@hypothesis_settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=200))
def test_any_bytes_give_row_errors_never_an_exception(data: bytes) -> None:
    result = import_crm(sources={"accounts": ("accounts.csv", io.BytesIO(data))})

    assert all(isinstance(error, RowError) for error in result.errors)
