"""Finding every contact and lead with an address (unsubscribes, export and erasure): the rows
are exactly those the suppression list's rule matches (`address_hash`, in Python), on SQLite
and PostgreSQL alike, and they are looked up through the index on lower(email)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import Contact, Lead
from campaigns.deliverability import MAX_SPELLINGS, _spellings, with_address
from campaigns.models import address_hash
from campaigns.subscriptions import same_person
from lifecycle.ops.personal_data import Person
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

KELVIN = "\u212a"  # KELVIN SIGN: str.lower() makes it a plain "k"


def emails(rows) -> set[str]:
    return set(rows.values_list("email", flat=True))


def contacts_with(*stored: str) -> None:
    for email in stored:
        ContactFactory(email=email)  # each at an account of its own


@pytest.mark.parametrize(
    ("stored", "address", "found"),
    [
        # Case and the spaces a person types around an address.
        (["Ana.Lopez@Example.COM", "ana@example.com"], "  ana.lopez@EXAMPLE.com\t\n", {0}),
        (["ana@example.com"], "\u00a0ana@example.com\u2003", {0}),
        # "İ" lower-cases to "i" and a combining dot: never the plain "i" PostgreSQL makes.
        (["İlker@example.com", "ilker@example.com"], "İLKER@example.com", {0}),
        (["İlker@example.com", "ilker@example.com"], "ILKER@example.com", {1}),
        (["İlker@example.com", "i\u0307lker@example.com"], "i\u0307lker@EXAMPLE.com", {0, 1}),
        # "ẞ" lower-cases to "ß", never to "ss".
        (["info@STRAẞE.de", "info@strasse.de"], "INFO@straße.de", {0}),
        # A capital sigma ending a word lower-cases to the final form in Python, to the
        # medial one in PostgreSQL (not before ".gr": a dot does not end a word).
        (["ΣΑΣ@example.gr", "σασ@example.gr"], "σας@example.gr", {0}),
        (["ΣΑΣ@example.gr", "σασ@example.gr"], "σασ@example.gr", {1}),
        (["info@ΣΑΣ.gr", "info@σας.gr"], "info@σασ.gr", {0}),
        # The Kelvin sign is a "k" to Python; SQLite's lower() leaves it alone.
        ([f"{KELVIN}ate@example.com", "kate@example.com"], "KATE@example.com", {0, 1}),
        # A dozen non-ASCII letters: too many spellings to look up, so every row is read.
        (["info@ΑΒΓΔΕΖΗΘΙΚ.gr", "info@αβγδεζηθικ.gr.evil"], "info@αβγδεζηθικ.gr", {0}),
    ],
)
def test_it_finds_exactly_the_contacts_the_suppression_list_matches(
    stored: list[str], address: str, found: set[int]
) -> None:
    contacts_with(*stored)

    matched = emails(with_address(Contact.objects.all(), address))

    assert matched == {stored[index] for index in found}
    assert matched == {email for email in stored if address_hash(email) == address_hash(address)}


def test_an_address_with_many_non_ascii_capitals_is_compared_row_by_row() -> None:
    # The last case above must go the slow way, or it would not test it.
    assert _spellings("info@αβγδεζηθικ.gr") is None
    assert len(_spellings("info@σας.gr") or ()) == 8 <= MAX_SPELLINGS


def test_it_finds_leads_by_the_same_rule() -> None:
    # One lead per lower(email): on PostgreSQL "İlker" and "ilker" would be one.
    for email in ("İlker@example.com", "ilker@example.org", "ΣΑΣ@example.gr"):
        Lead.objects.create(email=email, source=Lead.Source.STAFF)
    leads = Lead.objects.all()

    assert emails(with_address(leads, " İLKER@EXAMPLE.COM ")) == {"İlker@example.com"}
    assert emails(with_address(leads, "ilker@example.com")) == set()
    assert emails(with_address(leads, "σας@EXAMPLE.GR")) == {"ΣΑΣ@example.gr"}


def test_it_keeps_to_the_rows_it_is_given() -> None:
    kept, other_account = ContactFactory(email="Ana@example.com"), AccountFactory()
    ContactFactory(email="ana@EXAMPLE.com", account=other_account)

    rows = Contact.objects.exclude(account=other_account)

    assert list(with_address(rows, "ana@example.com")) == [kept]


def test_the_same_person_at_another_account_is_found_by_the_python_rule() -> None:
    """An unsubscribe reaches every contact with the address, and no one else."""
    contact = ContactFactory(email="İlker@example.com")
    same = ContactFactory(email="i\u0307lker@Example.com")
    ContactFactory(email="ilker@example.com")  # another mailbox

    assert list(same_person(contact)) == [same]


def test_an_erasure_finds_the_person_under_every_spelling() -> None:
    first, second = ContactFactory(email="ΣΑΣ@example.gr"), ContactFactory(email="Σας@Example.gr")
    ContactFactory(email="σασ@example.gr")  # another mailbox
    Lead.objects.create(email="σαΣ@EXAMPLE.gr", source=Lead.Source.STAFF)

    person = Person(" σας@example.gr ")

    assert set(person.contacts) == {first, second}
    assert emails(person.leads) == {"σαΣ@EXAMPLE.gr"}


@pytest.mark.parametrize(
    ("model", "make"),
    [
        (Contact, lambda email: ContactFactory(email=email)),
        (Lead, lambda email: Lead.objects.create(email=email, source=Lead.Source.STAFF)),
    ],
)
def test_it_looks_the_address_up_through_the_index_on_lower_email(model, make) -> None:
    for number in range(30):
        make(f"someone{number}@example.com")
    make("Kate@Example.com")

    with CaptureQueriesContext(connection) as queries:
        found = list(with_address(model.objects.all(), "kate@example.com"))

    assert [row.email for row in found] == ["Kate@Example.com"]
    lookup = queries.captured_queries[0]["sql"]
    lookup = lookup[lookup.index("SELECT") :]  # PostgreSQL reads it through a named cursor
    assert "LOWER(" in lookup and "lifecycle_address_hash" not in lookup
    assert "index" in query_plan(lookup).lower()


def query_plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # On a table this small a sequential scan is cheaper; the question is whether
            # the index can serve the lookup at all.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = " ".join(str(column) for row in cursor.fetchall() for column in row)
    assert "Seq Scan" not in plan and "SCAN accounts_" not in plan, plan
    return plan


# Letters whose cases Python and the databases treat differently, and plain ones.
LETTERS = "aIiıİkKKsſßẞσςΣåÅÅ"
SPELLINGS = st.sampled_from(["upper", "lower", "title", "swapcase", "casefold"])


@hypothesis_settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    local=st.text(alphabet=LETTERS, min_size=1, max_size=5),
    kept=st.lists(SPELLINGS, min_size=1, max_size=5),
    asked=SPELLINGS,
)
def test_any_spelling_is_found_as_python_would_match_it(
    local: str, kept: list[str], asked: str
) -> None:
    Contact.objects.all().delete()
    stored = {f"{getattr(local, spelling)()}@example.com" for spelling in [*kept, asked]}
    for email in stored:
        ContactFactory(email=email)
    address = f" {getattr(local, asked)()}@EXAMPLE.com "

    matched = emails(with_address(Contact.objects.all(), address))

    assert matched == {email for email in stored if address_hash(email) == address_hash(address)}
    assert matched  # the address itself is stored in one spelling at least
