"""What each CSV column of the import accepts (docs/import.md).

Parsers are plain functions from a stripped cell to a Python value: a Django form per row
would make 100,000 rows take minutes. A parser raises CellError, whose message is the
reason shown to the user after `FILE:LINE: column:`. The rules the model also has (language
tags, time zones, country codes, birthdays, subscription ends) come from accounts.validation;
only their wording here is the CSV's own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from accounts.validation import (
    LANGUAGE_TAG_MAX_LENGTH,
    Birthday,
    parse_birthday,
    validate_country_code,
    validate_language_tag,
    validate_plain_multiline_text,
    validate_plain_text,
    validate_subscription_end,
    validate_timezone,
)
from lifecycle.lib.dates import EARLIEST_YEAR

Values = dict[str, object]
Parser = Callable[[str], object]

CENT = Decimal("0.01")
MAX_MRR = Decimal("10000000000")  # max_digits=12, decimal_places=2
MAX_INTEGER = 2_147_483_647  # PositiveIntegerField on every supported database
DEFAULT_LANGUAGE = "en"
DEFAULT_TIMEZONE = "UTC"

_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_INTEGER = re.compile(r"-?[0-9]{1,15}")
_DECIMAL = re.compile(r"-?(?:[0-9]{1,20}(?:\.[0-9]{0,8})?|\.[0-9]{1,8})")
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})
_CANCEL_TYPES = frozenset({"voluntary", "involuntary", ""})
# Exports from another system may be stamped a little ahead of our clock (or in a zone
# ahead of the site's); anything later than this is a typo such as 2204.
FUTURE_TOLERANCE = dt.timedelta(days=1)


class CellError(ValueError):
    """One cell is invalid; the message is the reason reported to the user."""


# The CSV's wording of accounts.validation's errors, by their code.
_REASONS = {
    "birthday_format": "is not a date in YYYY-MM-DD or --MM-DD form",
    "birthday_not_real": "is not a real date",
    "end_not_after_start": "must be after started_on (it is the first day without service)",
    "cancel_without_end": "is only allowed when ended_on is given",
}


def _checked(validate: Callable[[str], None], value: str, reason: str) -> str:
    """`value` if `validate` accepts it, else a CellError giving `reason`."""
    try:
        validate(value)
    except ValidationError as exc:
        raise CellError(reason) from exc
    return value


PLAIN_TEXT_REASON = "has control, direction or invisible characters (such as a line break)"


def text(max_length: int | None, *, required: bool = False, multiline: bool = False) -> Parser:
    """A name or a reference on one line; `multiline` free text may also hold line breaks and
    tabs. No other control, bidi or invisible character, as the model's validators."""
    validate = validate_plain_multiline_text if multiline else validate_plain_text

    def parse(value: str) -> str:
        if required and not value:
            raise CellError("is required")
        if max_length is not None and len(value) > max_length:
            raise CellError(f"is longer than {max_length} characters")
        return _checked(validate, value, PLAIN_TEXT_REASON)

    return parse


def boolean(value: str) -> bool:
    word = value.lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise CellError("must be true, false, 1, 0, yes, no or empty")


def count(*, default: int | None) -> Parser:
    """A whole number >= 0; `default` when the cell is empty."""

    def parse(value: str) -> int | None:
        if not value:
            return default
        if not _INTEGER.fullmatch(value):
            raise CellError("is not a whole number")
        number = int(value)
        if number < 0:
            raise CellError("must not be negative")
        if number > MAX_INTEGER:
            raise CellError(f"must be at most {MAX_INTEGER}")
        return number

    return parse


def money(value: str) -> Decimal:
    if not value:
        raise CellError("is required")
    if not _DECIMAL.fullmatch(value):
        raise CellError("is not a number (write it like 49.90, with a dot and no symbols)")
    amount = Decimal(value)
    if amount < 0:
        raise CellError("must not be negative")
    if amount >= MAX_MRR:
        raise CellError(f"must be less than {MAX_MRR}")
    if amount != amount.quantize(CENT):
        raise CellError("has more than 2 decimal places")
    return abs(amount.quantize(CENT))  # abs() turns "-0" into 0


def _real_date(year: str, month: str, day: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise CellError("is not a real date") from exc


def date(value: str) -> dt.date | None:
    if not value:
        return None
    match = _DATE.fullmatch(value)
    if not match:
        raise CellError("is not a date in YYYY-MM-DD form")
    return _real_date(match[1], match[2], match[3])


def required_date(value: str) -> dt.date:
    day = date(value)
    if day is None:
        raise CellError("is required")
    return day


def birthday(value: str) -> Birthday:
    """(birth_year, birth_month, birth_day) from YYYY-MM-DD or yearless --MM-DD."""
    try:
        return parse_birthday(value)
    except ValidationError as exc:
        raise CellError(_REASONS[str(exc.code)]) from exc


def email(value: str) -> str:
    if not value:
        raise CellError("is required")
    if len(value) > 254:
        raise CellError("is longer than 254 characters")
    try:
        validate_email(value)
    except (ValidationError, ValueError) as exc:
        raise CellError("is not a valid email address") from exc
    return value


def owner_email(value: str) -> str:
    # Matched against staff users case-insensitively by the importer.
    return value.lower()


def country(value: str) -> str:
    if not value:
        return ""
    # The CSV takes any case, but only ASCII letters change it: "ß".upper() is "SS".
    code = value.upper() if value.isascii() else value
    return _checked(validate_country_code, code, "is not a two-letter country code such as US")


def language(value: str) -> str:
    if not value:
        return DEFAULT_LANGUAGE
    reason = "is not an IETF language tag such as en, es or pt-BR"
    if len(value) > LANGUAGE_TAG_MAX_LENGTH:
        raise CellError(reason)
    return _checked(validate_language_tag, value, reason)


def timezone_name(value: str) -> str:
    if not value:
        return DEFAULT_TIMEZONE
    return _checked(validate_timezone, value, "is not an IANA time zone such as Europe/Madrid")


def cancel_type(value: str) -> str:
    word = value.lower()
    if word not in _CANCEL_TYPES:
        raise CellError("must be voluntary, involuntary or empty")
    return word


def score(value: str) -> int:
    """A whole number; whether it fits the survey's scale is checked across the row."""
    if not value:
        raise CellError("is required")
    if not _INTEGER.fullmatch(value):
        raise CellError("is not a whole number")
    return int(value)


def submitted_at(value: str) -> dt.datetime:
    """ISO 8601 with or without an offset; a time without one is in the site time zone."""
    if not value:
        raise CellError("is required")
    try:
        moment = dt.datetime.fromisoformat(value)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, timezone.get_default_timezone())
        moment = moment.astimezone(dt.UTC)  # out of range near year 1 or 9999
    except (ValueError, OverflowError) as exc:
        raise CellError(
            "is not an ISO 8601 date and time such as 2024-05-17T14:30:00+02:00"
        ) from exc
    if moment.year < EARLIEST_YEAR:
        raise CellError(f"is before {EARLIEST_YEAR}")
    if moment > timezone.now() + FUTURE_TOLERANCE:
        raise CellError("is in the future")
    return moment


@dataclass(frozen=True)
class Column:
    parse: Parser
    # Keys the parsed value is stored under in a row; a tuple value is spread over them.
    keys: tuple[str, ...]
    # Model fields the column sets: what an upsert updates when the column is present.
    model_fields: tuple[str, ...]


def column(parse: Parser, key: str, model_field: str | None = None) -> Column:
    return Column(parse=parse, keys=(key,), model_fields=(model_field or key,))


def no_checks(values: Values, failed: set[str]) -> list[tuple[str, str]]:
    return []


def subscription_checks(values: Values, failed: set[str]) -> list[tuple[str, str]]:
    """Rules across cells (Subscription's constraints in words), given the cells that failed."""
    if "ended_on" in failed:  # its own error says enough; no end to check anything against
        return []
    started, ended = values.get("started_on"), values.get("ended_on")
    try:
        validate_subscription_end(
            started if isinstance(started, dt.date) else None,
            ended if isinstance(ended, dt.date) else None,
            str(values.get("cancel_type") or ""),
        )
    except ValidationError as exc:
        return [
            (column, _REASONS[str(error.code)])
            for column, errors in exc.error_dict.items()
            for error in errors
        ]
    return []


@dataclass(frozen=True)
class Schema:
    columns: dict[str, Column]
    required: tuple[str, ...]
    check: Callable[[Values, set[str]], list[tuple[str, str]]] = no_checks


EXTERNAL_ID = column(text(100, required=True), "external_id")
ACCOUNT_REF = column(text(100, required=True), "account_external_id", "account")
# Rows about a contact's history (kinds that upper layers add, such as survey responses).
CONTACT_REF = Column(
    parse=text(100, required=True),
    keys=("contact_external_id",),
    model_fields=("contact", "account", "language"),
)

SCHEMAS: dict[str, Schema] = {
    "accounts": Schema(
        columns={
            "external_id": EXTERNAL_ID,
            "name": column(text(200, required=True), "name"),
            "industry": column(text(100), "industry"),
            "employees": column(count(default=None), "employees"),
            "country": column(country, "country"),
            "owner_email": column(owner_email, "owner_email", "owner"),
            "referenceable": column(boolean, "referenceable"),
        },
        required=("external_id", "name"),
    ),
    "contacts": Schema(
        columns={
            "external_id": EXTERNAL_ID,
            "account_external_id": ACCOUNT_REF,
            "first_name": column(text(100), "first_name"),
            "last_name": column(text(100), "last_name"),
            "email": column(email, "email"),
            "birthday": Column(
                parse=birthday,
                keys=("birth_year", "birth_month", "birth_day"),
                model_fields=("birth_year", "birth_month", "birth_day"),
            ),
            "language": column(language, "language"),
            "timezone": column(timezone_name, "timezone"),
            "is_primary": column(boolean, "is_primary"),
        },
        required=("external_id", "account_external_id", "email"),
    ),
    "subscriptions": Schema(
        columns={
            "external_id": EXTERNAL_ID,
            "account_external_id": ACCOUNT_REF,
            "plan": column(text(100), "plan"),
            "mrr": column(money, "mrr"),
            "quantity": column(count(default=1), "quantity"),
            "started_on": column(required_date, "started_on"),
            "ended_on": column(date, "ended_on"),
            "cancel_type": column(cancel_type, "cancel_type"),
            "cancel_reason": column(text(None, multiline=True), "cancel_reason"),
        },
        required=("external_id", "account_external_id", "mrr", "started_on"),
        check=subscription_checks,
    ),
}
