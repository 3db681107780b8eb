"""CSV import of accounts, contacts and subscriptions, and of the history kinds that upper
layers add (survey responses): every file of a run, or nothing.

Three steps. Read each file into parsed rows in plain Python (accounts/csv_rows.py).
Check what needs several rows or the database (duplicates, unknown accounts, owners,
contact emails) with a few batched queries. Only when no file has any error, upsert
everything by external_id in one transaction with bulk_create. The management command
`import_crm` and the upload page both call `import_crm()`.

Upper layers add kinds of files about contacts' history (surveys: responses) through
`register_history_kind()`, written after the CRM kinds (docs/architecture.md).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from django.contrib.auth import get_user_model
from django.db import DataError, IntegrityError, models, transaction

from accounts.csv_rows import SCHEMAS, CellError, Column, Schema, Values
from accounts.models import Account, Contact, Subscription

if TYPE_CHECKING:
    from _csv import _reader as CsvReader

# Always in a result's counts, and written first in this order; history kinds follow.
CRM_KINDS = ("accounts", "contacts", "subscriptions")
CRM_MODELS: dict[str, type[models.Model]] = {
    "accounts": Account,
    "contacts": Contact,
    "subscriptions": Subscription,
}
LOOKUP_CHUNK = 900  # external_ids per query, below SQLite's 999 parameters
WRITE_CHUNK = 5000  # rows per bulk_create call; Django splits it again to fit parameters
# Pseudo-columns for errors that are not about one cell.
FILE, ROW, DATABASE = "(file)", "(row)", "(database)"

Position = tuple[int, str, Column]  # index in the row, column name, what it accepts


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.reason}"


@dataclass
class ImportResult:
    errors: list[RowError]
    # Keys: "accounts", "contacts", "subscriptions", and "responses" when its file was given.
    created: dict[str, int]
    updated: dict[str, int]
    dry_run: bool

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(slots=True)
class _Row:
    line: int  # the physical line where the record starts; the header is line 1
    values: Values


@dataclass
class _Table:
    kind: str
    file: str
    columns: list[str] = field(default_factory=list)  # known columns in the header
    rows: list[_Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def schema(self) -> Schema:
        return schema_of(self.kind)

    def error(self, line: int, column: str, reason: str) -> None:
        self.errors.append(RowError(self.file, line, column, reason))


@dataclass(frozen=True, slots=True)
class ContactRef:
    pk: int
    account_id: int
    language: str


@dataclass(frozen=True)
class HistoryKind:
    """A kind of CSV file about contacts' history that an upper layer adds (surveys:
    responses). Each row names its contact in `contact_external_id` (csv_rows.CONTACT_REF)."""

    kind: str  # also the command's --option and the upload form's field
    label: str  # on the upload page's summary
    form_label: str
    help_text: str
    model: type[models.Model]
    schema: Schema
    # Its own lookups, once per run (surveys: the default survey of each kind).
    lookups: Callable[[], dict[str, Any]]
    # (column, reason) for each problem the lookups find in a row.
    check_row: Callable[[Values, dict[str, Any]], list[tuple[str, str]]]
    # The model's field values for a row, given its contact and the lookups.
    values: Callable[[Values, ContactRef, dict[str, Any]], Values]


HISTORY_KINDS: dict[str, HistoryKind] = {}


def register_history_kind(kind: HistoryKind) -> None:
    HISTORY_KINDS[kind.kind] = kind


def kinds() -> tuple[str, ...]:
    """Every kind of file, in the order they are written."""
    return (*CRM_KINDS, *HISTORY_KINDS)


def schema_of(kind: str) -> Schema:
    return SCHEMAS[kind] if kind in SCHEMAS else HISTORY_KINDS[kind].schema


def model_of(kind: str) -> type[models.Model]:
    return CRM_MODELS[kind] if kind in CRM_MODELS else HISTORY_KINDS[kind].model


@dataclass
class _Lookups:
    existing: dict[str, set[str]]  # kind -> external_ids already in the database
    account_pks: dict[str, int]  # account external_id -> pk
    owner_pks: dict[str, int]  # lower-cased email -> user pk
    contacts: dict[str, ContactRef] = field(default_factory=dict)  # by external_id
    history: dict[str, dict[str, Any]] = field(default_factory=dict)  # kind -> its lookups


class _Refused(Exception):
    """The database refused a write; raised out of the transaction to roll it back."""

    def __init__(self, error: RowError) -> None:
        super().__init__(str(error))
        self.error = error


def import_crm(*, sources: dict[str, tuple[str, BinaryIO]], dry_run: bool = False) -> ImportResult:
    """Import the given files: kind -> (file name shown in errors, binary stream)."""
    if unknown := set(sources) - set(kinds()):
        raise ValueError(f"Unknown kinds of CSV file: {sorted(unknown)}")
    tables = {kind: _read_table(kind, *sources[kind]) for kind in kinds() if kind in sources}
    lookups = _check(tables)
    errors = [error for table in tables.values() for error in _sorted(table.errors)]
    if not errors and not dry_run:
        errors = _write(tables, lookups)
    if errors:
        zeros = _zeros(tables)
        return ImportResult(errors=errors, created=zeros, updated=dict(zeros), dry_run=dry_run)
    created, updated = _counts(tables, lookups)
    return ImportResult(errors=[], created=created, updated=updated, dry_run=dry_run)


# --- Reading ------------------------------------------------------------------------------


def _read_table(kind: str, file: str, stream: BinaryIO) -> _Table:
    table = _Table(kind=kind, file=file)
    text = _decode(table, stream.read())
    if text is None:
        return table
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        positions = _read_header(table, header) if _has_header(table, header) else None
        if positions is not None:
            _read_rows(table, reader, positions, width=len(header))
    except csv.Error as exc:
        table.error(reader.line_num, FILE, f"is not valid CSV: {exc}")
    return table


def _decode(table: _Table, data: bytes) -> str | None:
    try:
        text = data.decode("utf-8-sig")  # accepts and drops a byte order mark
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        table.error(line, FILE, "is not UTF-8 text; save it as CSV UTF-8")
        return None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        table.error(line, FILE, "contains NUL characters (UTF-16?); save it as CSV UTF-8")
        return None
    if not text.strip():
        table.error(1, FILE, "is empty; the first line must be the header row")
        return None
    return text


def _has_header(table: _Table, header: list[str]) -> bool:
    if any(cell.strip() for cell in header):
        return True
    table.error(1, FILE, "line 1 is blank; it must be the header row")
    return False


def _read_header(table: _Table, header: list[str]) -> list[Position] | None:
    """Where each known column is, or None when the rows cannot be read."""
    known = table.schema.columns
    positions: list[Position] = []
    seen: set[str] = set()
    readable = True
    for index, name in enumerate(cell.strip() for cell in header):
        if name in seen:
            table.error(1, name, "appears twice in the header")
            readable = False
        elif name in known:
            positions.append((index, name, known[name]))
        else:
            label = name or f"column {index + 1}"
            table.error(1, label, f"unknown column (the columns are {', '.join(known)})")
        seen.add(name)
    for name in table.schema.required:
        if name not in seen:
            table.error(1, name, "required column is missing")
            readable = False
    table.columns = [name for _index, name, _column in positions]
    return positions if readable else None


def _read_rows(table: _Table, reader: CsvReader, positions: list[Position], width: int) -> None:
    end = reader.line_num
    for cells in reader:
        # A quoted cell may span lines: the record starts right after the previous one.
        start, end = end + 1, reader.line_num
        if not "".join(cells).strip():
            continue  # blank lines and rows of empty cells that spreadsheets leave behind
        if len(cells) != width:
            table.error(start, ROW, f"has {len(cells)} cells but the header has {width}")
            continue
        table.rows.append(_parse_row(table, start, cells, positions))


def _parse_row(table: _Table, line: int, cells: list[str], positions: list[Position]) -> _Row:
    values: Values = {}
    failed: set[str] = set()
    for index, name, column in positions:
        try:
            value = column.parse(cells[index].strip())
        except CellError as exc:
            table.error(line, name, str(exc))
            failed.add(name)
            continue
        if len(column.keys) == 1:
            values[column.keys[0]] = value
        else:
            values.update(zip(column.keys, cast(tuple, value), strict=True))
    for name, reason in table.schema.check(values, failed):
        table.error(line, name, reason)
    return _Row(line, values)


# --- Checks across rows and against the database ---------------------------------------


def _check(tables: dict[str, _Table]) -> _Lookups:
    for table in tables.values():
        _check_duplicates(table)
    accounts = tables.get("accounts")
    lookups = _Lookups(
        existing={kind: set(_pks(model_of(kind), _ids(t))) for kind, t in tables.items()},
        account_pks=_pks(Account, _account_refs(tables)),
        owner_pks=_owner_pks() if accounts and "owner_email" in accounts.columns else {},
    )
    known_accounts = set(lookups.account_pks) | _ids(accounts)
    for kind in ("contacts", "subscriptions"):
        if table := tables.get(kind):
            _check_accounts_exist(table, known_accounts)
    if accounts:
        _check_owners(accounts, lookups.owner_pks)
    if contacts := tables.get("contacts"):
        _check_contact_emails(contacts)
    for kind in HISTORY_KINDS:
        if table := tables.get(kind):
            _check_history(table, contacts, lookups)
    return lookups


def _check_duplicates(table: _Table) -> None:
    first_line: dict[object, int] = {}
    for row in table.rows:
        external_id = row.values.get("external_id")
        if external_id is None:
            continue
        if external_id in first_line:
            table.error(row.line, "external_id", f"duplicate of line {first_line[external_id]}")
        else:
            first_line[external_id] = row.line


def _check_accounts_exist(table: _Table, known: set[str]) -> None:
    for row in table.rows:
        ref = row.values.get("account_external_id")
        if ref is not None and ref not in known:
            reason = "no account has this external_id, in the database or the accounts file"
            table.error(row.line, "account_external_id", reason)


def _check_owners(table: _Table, owner_pks: dict[str, int]) -> None:
    for row in table.rows:
        email = row.values.get("owner_email")
        if email and email not in owner_pks:
            table.error(row.line, "owner_email", "no user has this email")


def _check_contact_emails(table: _Table) -> None:
    """One email per account, case-insensitively, across the database and the file."""
    taken = _emails_in_database(table)
    for row in table.rows:
        ref, email = row.values.get("account_external_id"), row.values.get("email")
        if not (isinstance(ref, str) and isinstance(email, str)):
            continue
        key = (ref, email.lower())
        if key in taken:
            table.error(
                row.line,
                "email",
                f"account {ref} already has a contact with this email ({taken[key]})",
            )
        else:
            taken[key] = f"line {row.line}"


def _emails_in_database(table: _Table) -> dict[tuple[str, str], str]:
    """(account external_id, lower email) -> who has it, for the accounts in the file."""
    rewritten = _ids(table)  # the file sets these contacts' emails anew
    refs = {
        ref for row in table.rows if isinstance(ref := row.values.get("account_external_id"), str)
    }
    taken: dict[tuple[str, str], str] = {}
    for chunk in _chunks(refs):
        contacts = Contact.objects.filter(account__external_id__in=chunk).values_list(
            "account__external_id", "email", "external_id"
        )
        for ref, email, external_id in contacts:
            if external_id not in rewritten:
                taken[(ref, email.lower())] = f"contact {external_id or 'without external_id'}"
    return taken


def _check_history(table: _Table, contacts: _Table | None, lookups: _Lookups) -> None:
    """Each row's contact exists (in the database or the contacts file), and the kind's own
    lookups accept the row."""
    history = HISTORY_KINDS[table.kind]
    lookups.contacts.update(_contact_refs(_contact_refs_of(table)))
    own = lookups.history[table.kind] = history.lookups()
    known = set(lookups.contacts) | _ids(contacts)
    for row in table.rows:
        ref = row.values.get("contact_external_id")
        if isinstance(ref, str) and ref not in known:
            reason = "no contact has this external_id, in the database or the contacts file"
            table.error(row.line, "contact_external_id", reason)
        for column, reason in history.check_row(row.values, own):
            table.error(row.line, column, reason)


# --- Lookups --------------------------------------------------------------------------------


def _ids(table: _Table | None) -> set[str]:
    rows = table.rows if table else []
    return {ext for row in rows if isinstance(ext := row.values.get("external_id"), str)}


def _account_refs(tables: dict[str, _Table]) -> set[str]:
    return {
        ref
        for kind in ("contacts", "subscriptions")
        if (table := tables.get(kind))
        for row in table.rows
        if isinstance(ref := row.values.get("account_external_id"), str)
    }


def _chunks(items: Iterable[str]) -> Iterator[list[str]]:
    ordered = sorted(items)
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        yield ordered[start : start + LOOKUP_CHUNK]


def _pks(model: type[models.Model], external_ids: Iterable[str]) -> dict[str, int]:
    """external_id -> pk of the rows that exist, one query per chunk of ids."""
    pks: dict[str, int] = {}
    for chunk in _chunks(external_ids):
        rows = model._default_manager.filter(external_id__in=chunk).values_list("external_id", "pk")
        pks.update(rows)
    return pks


def _contact_refs_of(table: _Table) -> set[str]:
    return {
        ref for row in table.rows if isinstance(ref := row.values.get("contact_external_id"), str)
    }


def _contact_refs(external_ids: Iterable[str]) -> dict[str, ContactRef]:
    refs: dict[str, ContactRef] = {}
    for chunk in _chunks(external_ids):
        rows = Contact.objects.filter(external_id__in=chunk).values_list(
            "external_id", "pk", "account_id", "language"
        )
        refs.update((ext, ContactRef(pk, account, language)) for ext, pk, account, language in rows)
    return refs


def _owner_pks() -> dict[str, int]:
    # Staff users are few: compare in Python, where lower() is the same for every database.
    owners: dict[str, int] = {}
    users = get_user_model()._default_manager.exclude(email="").order_by("pk")
    for email, pk in users.values_list("email", "pk"):
        owners.setdefault(email.lower(), pk)
    return owners


# --- Writing -------------------------------------------------------------------------------


def _write(tables: dict[str, _Table], lookups: _Lookups) -> list[RowError]:
    try:
        with transaction.atomic():
            for kind, table in tables.items():  # in the order of kinds()
                if kind in HISTORY_KINDS:
                    # The contacts file may just have created or moved some contacts.
                    lookups.contacts.update(_contact_refs(_contact_refs_of(table)))
                _upsert(table, lookups)
                if kind == "accounts":
                    new = _account_refs(tables) - set(lookups.account_pks)
                    lookups.account_pks.update(_pks(Account, new))
    except _Refused as refused:
        return [refused.error]
    return []


def _upsert(table: _Table, lookups: _Lookups) -> None:
    model = model_of(table.kind)
    update_fields = _update_fields(table)
    for start in range(0, len(table.rows), WRITE_CHUNK):
        rows = table.rows[start : start + WRITE_CHUNK]
        objects = [_instance(table.kind, model, row.values, lookups) for row in rows]
        try:
            model._default_manager.bulk_create(
                objects,
                batch_size=WRITE_CHUNK,
                update_conflicts=True,
                unique_fields=["external_id"],
                update_fields=update_fields,
            )
        except (IntegrityError, DataError) as exc:
            where = f"lines {rows[0].line}-{rows[-1].line}"
            detail = " ".join(str(exc).split())  # PostgreSQL adds a DETAIL line; keep one line
            reason = f"the database refused a row in {where}, nothing was imported: {detail}"
            raise _Refused(RowError(table.file, rows[0].line, DATABASE, reason)) from exc


def _update_fields(table: _Table) -> list[str]:
    """What an existing row takes from the file: its columns only, so others are kept."""
    columns = table.schema.columns
    fields = [
        model_field
        for name in table.columns
        if name != "external_id"
        for model_field in columns[name].model_fields
    ]
    return [*fields, "updated_at"]


def _instance(
    kind: str, model: type[models.Model], values: Values, lookups: _Lookups
) -> models.Model:
    if history := HISTORY_KINDS.get(kind):
        contact = lookups.contacts[cast(str, values["contact_external_id"])]
        return model(**history.values(values, contact, lookups.history[kind]))
    values = dict(values)
    if "account_external_id" in values:
        values["account_id"] = lookups.account_pks[cast(str, values.pop("account_external_id"))]
    if "owner_email" in values:
        email = values.pop("owner_email")
        values["owner_id"] = lookups.owner_pks[cast(str, email)] if email else None
    return model(**values)


# --- Results -------------------------------------------------------------------------------


def _zeros(tables: dict[str, _Table]) -> dict[str, int]:
    return dict.fromkeys([*CRM_KINDS, *(kind for kind in tables if kind not in CRM_KINDS)], 0)


def _counts(tables: dict[str, _Table], lookups: _Lookups) -> tuple[dict[str, int], dict[str, int]]:
    created, updated = _zeros(tables), _zeros(tables)
    for kind, table in tables.items():
        existing = lookups.existing[kind]
        updated[kind] = sum(1 for row in table.rows if row.values["external_id"] in existing)
        created[kind] = len(table.rows) - updated[kind]
    return created, updated


def _sorted(errors: list[RowError]) -> list[RowError]:
    # Stable: the errors of one line stay in column order.
    return sorted(errors, key=lambda error: error.line)
