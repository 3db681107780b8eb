"""The rules of accounts, contacts and subscriptions, each written once.

The model fields and `clean()`, the API serializers and the CSV reader call these
validators. Each raises Django's ValidationError in the wording of the model (what forms and
the API show) with a code; the CSV reader words its reasons its own way
(`FILE:LINE: column: reason`), by validator or by code.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
import zoneinfo
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import Contact

Birthday = tuple[int | None, int | None, int | None]  # (birth_year, birth_month, birth_day)
NO_BIRTHDAY: Birthday = (None, None, None)
LANGUAGE_TAG_MAX_LENGTH = 35
BIRTHDAY_FORMAT = _("Enter a real date as YYYY-MM-DD, or --MM-DD without the year.")

_BIRTHDAY = re.compile(r"(?P<year>[0-9]{4}|-)-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})")


# Validators called like the functions below, but RegexValidator objects: the API schema
# publishes their patterns. An IETF language tag is a 2-3 letter language, then subtags of
# 2-8 letters or digits; a country is its ISO 3166 code in capitals.
validate_language_tag = RegexValidator(
    r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
    _("Enter an IETF language tag such as en, es or pt-BR."),
)
validate_country_code = RegexValidator(
    r"^[A-Z]{2}$", _("Enter a two-letter ISO 3166 country code such as US.")
)


# Characters that make text read other than it is stored, or break out of its line: control
# characters (a line break in a name is an email header or body injection waiting to happen),
# bidirectional overrides and isolates, and the other invisible format characters (zero-width
# spaces, soft hyphens, tag characters) that can spoof a name. Lone surrogates cannot be
# stored as UTF-8 at all. Zero-width (non-)joiners stay: Persian, Indic scripts and emoji
# sequences need them. The Hangul filler letters draw nothing and serve no modern text.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_INVISIBLE_LETTERS = frozenset({"\u3164", "\uffa0"})
_JOINERS = frozenset({"\u200c", "\u200d"})
_LINE_BREAKS = frozenset({"\n", "\t"})
PLAIN_TEXT_MESSAGE = _("Remove the control, direction or invisible characters from this text.")


def _refused(text: str, allowed: frozenset[str] = frozenset()) -> bool:
    return any(
        unicodedata.category(char) in _REFUSED_CATEGORIES or char in _INVISIBLE_LETTERS
        for char in set(text) - _JOINERS - allowed
    )


def validate_plain_text(value: str) -> None:
    """A name or one line of text: no control characters, no bidi or invisible characters."""
    if value and _refused(value):
        raise ValidationError(PLAIN_TEXT_MESSAGE, code="unprintable")


def validate_plain_multiline_text(value: str) -> None:
    """Free text of several lines (a survey comment, an email body): as plain text, but line
    breaks and tabs are fine. Browsers post a textarea's line breaks as CRLF: a CR is refused
    only on its own."""
    if value and _refused(value.replace("\r\n", "\n"), _LINE_BREAKS):
        raise ValidationError(PLAIN_TEXT_MESSAGE, code="unprintable")


@functools.cache
def _time_zones() -> frozenset[str]:
    # available_timezones() walks the tz database on disk: once per process is enough.
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    """An IANA time zone name, such as Europe/Madrid."""
    if value not in _time_zones():
        raise ValidationError(_("%(value)s is not an IANA time zone."), params={"value": value})


def validate_birthday(year: int | None, month: int | None, day: int | None) -> None:
    """Month and day come together and make a real date. Without a year (None, or 0 as the
    model has always read it) the date is checked in 2000, a leap year: --02-29 is real."""
    if (month is None) != (day is None):
        raise ValidationError(
            _("Give both the month and the day of the birthday."), code="birthday_incomplete"
        )
    if month is None or day is None:
        return
    try:
        dt.date(year or 2000, month, day)
    except ValueError as exc:
        raise ValidationError(
            _("This birthday is not a real date."), code="birthday_not_real"
        ) from exc


def parse_birthday(value: str) -> Birthday:
    """A birthday as written in the CSV and the API, YYYY-MM-DD or --MM-DD when the year is
    unknown, as the model's three birth fields; "" is no birthday."""
    if not value:
        return NO_BIRTHDAY
    match = _BIRTHDAY.fullmatch(value)
    if not match:
        raise ValidationError(BIRTHDAY_FORMAT, code="birthday_format")
    # Some exports write an unknown year as 0000: store it as no year, like --MM-DD.
    year = None if match["year"] == "-" else int(match["year"]) or None
    month, day = int(match["month"]), int(match["day"])
    validate_birthday(year, month, day)
    return (year, month, day)


def validate_subscription_end(
    started_on: dt.date | None, ended_on: dt.date | None, cancel_type: str
) -> None:
    """A subscription ends after it starts (ended_on is the first day without service), and
    only an ended one has a cancellation type. The errors name their field."""
    if ended_on and started_on and ended_on <= started_on:
        message = _("The end must be after the start (it is the first day without service).")
        raise ValidationError({"ended_on": ValidationError(message, code="end_not_after_start")})
    if cancel_type and not ended_on:
        message = _("Only an ended subscription has a cancellation type.")
        raise ValidationError({"cancel_type": ValidationError(message, code="cancel_without_end")})


def validate_contact_email_unique(
    account_id: int | None, email: str, contact: Contact | None = None
) -> None:
    """One contact per email at an account, whatever the case. The database constraint on
    Lower(email) would report no field, so forms and the API check this first."""
    from accounts.models import Contact  # the models import this module for their validators

    if account_id is None or not email:
        return
    duplicates = Contact.objects.filter(account_id=account_id, email__iexact=email)
    if contact is not None and contact.pk is not None:
        duplicates = duplicates.exclude(pk=contact.pk)
    if duplicates.exists():
        raise ValidationError(
            _("This account already has a contact with this email."), code="duplicate_email"
        )
